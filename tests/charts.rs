//! Snapshot tests: the SVG of each chart kind, for both languages and both variants, pinned in
//! `tests/snapshots/` (run with `UPDATE_EXPECT=1` to rewrite after a deliberate change, then look
//! at the diff and at the pictures).

mod common;

use common::*;

fn svgs(html: &str) -> Vec<(String, String)> {
    html.match_indices("<svg class=\"chart-svg chart-")
        .map(|(i, _)| {
            let rest = &html[i..];
            let variant = rest["<svg class=\"chart-svg chart-".len()..]
                .split('"')
                .next()
                .unwrap()
                .to_string();
            (
                variant,
                rest[..rest.find("</svg>").unwrap() + 6].to_string(),
            )
        })
        .collect()
}

#[test]
fn each_chart_kind_matches_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = yanbao::Options::new(repo_root().join("tests/fixtures/charts"));
    opts.output = dir.path().join("out");
    yanbao::build(&opts).unwrap();
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let snaps = repo_root().join("tests/snapshots");
    std::fs::create_dir_all(&snaps).unwrap();
    let kinds = ["line", "vbar", "hbar", "grouped", "stacked"];
    let mut failures = Vec::new();
    for lang in ["zh", "en"] {
        let html = read(&opts.output.join(lang).join("charts/index.html"));
        let all = svgs(&html);
        assert_eq!(all.len(), kinds.len() * 2, "{lang}: two variants per chart");
        for (i, kind) in kinds.iter().enumerate() {
            for (variant, svg) in &all[i * 2..i * 2 + 2] {
                let path = snaps.join(format!("{kind}-{lang}-{variant}.svg"));
                // One element per line keeps diffs readable.
                let pretty = svg.replace("><", ">\n<") + "\n";
                if update {
                    std::fs::write(&path, &pretty).unwrap();
                } else if std::fs::read_to_string(&path).ok().as_deref() != Some(pretty.as_str()) {
                    failures.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "SVG differs from its snapshot (UPDATE_EXPECT=1 to accept): {failures:#?}"
    );
}

#[test]
fn charts_render_provenance_distinctly() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = yanbao::Options::new(repo_root().join("tests/fixtures/charts"));
    opts.output = dir.path().join("out");
    yanbao::build(&opts).unwrap();
    let html = read(&opts.output.join("zh/charts/index.html"));
    // Derived bars are hatched, reported ones solid; the legend says which is which.
    assert!(html.contains("fill=\"url(#fig-vbar-wide-h0)\""));
    assert!(html.contains("<span>推算值</span>") && html.contains("<span>报告数值</span>"));
    // A range and an upper bound are drawn as such and named in the legend.
    assert!(
        html.contains("class=\"k-d0\""),
        "upper bound: light bar with a dashed outline"
    );
    assert!(
        html.contains("class=\"f-bn k-dn\""),
        "its legend swatch is grey, not a series colour"
    );
    assert!(html.contains("区间（报告给出范围）") && html.contains("上限（报告给出“低于”）"));
    // Log scale is labelled; zero values get their own band.
    assert!(html.contains("（对数刻度）"));
    assert!(html.contains(">\n免费\n<") || html.contains(">免费<"));
    // Reported points are filled, outside ones hollow (legend entries).
    assert!(html.contains("<span>报告数值</span>") && html.contains("<span>外部数据</span>"));
}
