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
    let kinds = ["line", "vbar", "hbar", "grouped", "stacked", "dumbbell"];
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

// ---------------------------------------------------------------------------------------------
// Generated data: every mark decoded from the SVG must sit where its value says.

/// A small deterministic generator (no crate needed for a test's noise).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Category names: long CJK, long Latin, short, hostile characters.
fn name(i: usize) -> String {
    match i % 5 {
        0 => format!("北京字节跳动网络技术有限公司第{i}号"),
        1 => format!("Doubao-vision-lite-32k-{i} & <Co>"),
        2 => format!("M{i}"),
        3 => format!("Wide WWWWMMMM {i}"),
        _ => format!("比亚迪 BYD \"{i}\""),
    }
}

/// One generated chart: its data rows as YAML values and the chart's spec lines.
struct Case {
    id: &'static str,
    kind: &'static str,
    unit: &'static str,
    values: Vec<Vec<f64>>,
    /// Line charts: groups of the rows (one per row), years as x.
    groups: Option<Vec<usize>>,
    extra: &'static str,
}

fn num(x: f64) -> String {
    // YAML reads Rust's round-trip form ("1e-300", "-35.0").
    format!("{x:?}")
}

fn write_case(root: &std::path::Path, c: &Case) {
    let mut data = format!(
        "title: {{zh: {id}, en: {id}}}\nsource: rep\nsources:\n  rep: {{kind: report, section: charts#charts}}\nfields:\n  name: {{type: text, label: {{zh: 名称, en: Name}}}}\n  year: {{type: year, label: {{zh: 年份, en: Year}}}}\n  line: {{type: text, label: {{zh: 系列, en: Series}}}}\n",
        id = c.id
    );
    let series = c.values.first().map_or(1, Vec::len);
    for s in 0..series {
        data.push_str(&format!(
            "  v{s}: {{type: quantity, unit: {}, label: {{zh: 值{s}, en: Value {s}}}}}\n",
            c.unit
        ));
    }
    data.push_str("rows:\n");
    for (i, vs) in c.values.iter().enumerate() {
        let nm = name(i).replace('"', "\\\"");
        data.push_str(&format!("  - {{id: r{i}, name: \"{nm}\""));
        if let Some(g) = &c.groups {
            let per = c.values.len().div_ceil(g.iter().max().unwrap() + 1);
            data.push_str(&format!(
                ", year: {}, line: \"{}\"",
                2000 + i % per,
                name(g[i] * 5 + 3)
            ));
        }
        for (s, v) in vs.iter().enumerate() {
            data.push_str(&format!(", v{s}: {}", num(*v)));
        }
        data.push_str("}\n");
    }
    std::fs::write(root.join(format!("content/data/{}.yaml", c.id)), data).unwrap();
    let fields = match c.kind {
        "grouped_bar" => (0..series)
            .map(|s| format!("  - {{field: v{s}, label: {{zh: 系列{s}, en: Series {s}}}}}\n"))
            .fold("label: [name]\nseries:\n".to_string(), |a, b| a + &b),
        "line" if c.groups.as_ref().is_some_and(|g| g.iter().any(|x| *x > 0)) => {
            "x: year\nvalue: v0\ngroup: line\n".to_string()
        }
        "line" => "x: year\nvalue: v0\n".to_string(),
        "dumbbell" => "label: [name]\nvalue: v0\ngroup: line\n".to_string(),
        _ => "label: [name]\nvalue: v0\n".to_string(),
    };
    let spec = format!(
        "kind: {}\ndata: {}\ntitle: {{zh: {}, en: {}}}\n{fields}{}",
        c.kind, c.id, c.id, c.id, c.extra
    );
    std::fs::write(root.join(format!("content/charts/{}.yaml", c.id)), spec).unwrap();
}

fn cases() -> Vec<Case> {
    let mut r = Rng(7);
    let mut signed = |n: usize, scale: f64| -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| vec![((r.next() - 0.45) * 2.0 * scale * 100.0).round() / 100.0])
            .collect()
    };
    let one = |vs: &[f64]| vs.iter().map(|v| vec![*v]).collect::<Vec<_>>();
    vec![
        Case {
            id: "yoy",
            kind: "bar",
            unit: "percent",
            values: one(&[-6.0, 0.0, 120.0, 7.0, -35.0, 48.0]),
            groups: None,
            // A band across zero and a line beyond the data (the axis must reach it).
            extra: "references:\n  - {value: \"-10-10\", label: {zh: 正常波动, en: Normal range}}\n  - {value: 150, label: {zh: 目标, en: Target}}\n",
        },
        Case {
            id: "mixed",
            kind: "bar",
            unit: "count",
            values: signed(12, 1000.0),
            groups: None,
            extra: "",
        },
        Case {
            id: "negative",
            kind: "bar",
            unit: "percent",
            values: one(&[-20.0, -40.0, -3.5]),
            groups: None,
            extra: "orientation: horizontal\nreferences:\n  - {value: -50, label: {zh: 下限, en: Floor}}\n  - {value: \"<=-10\", label: {zh: 跌幅超过一成, en: Down by more than a tenth}}\n",
        },
        Case {
            id: "tiny",
            kind: "bar",
            unit: "cny",
            values: one(&[100.0, 200.0, 350.0, 0.0]),
            groups: None,
            extra: "",
        },
        Case {
            id: "extreme",
            kind: "bar",
            unit: "count",
            values: one(&[1e-300, 1.0, 1e300]),
            groups: None,
            extra: "orientation: horizontal\n",
        },
        Case {
            id: "zeros",
            kind: "bar",
            unit: "count",
            values: one(&[0.0, 0.0, 0.0]),
            groups: None,
            extra: "",
        },
        Case {
            id: "many",
            kind: "bar",
            unit: "count",
            values: signed(200, 50.0),
            groups: None,
            extra: "",
        },
        Case {
            id: "groups",
            kind: "grouped_bar",
            unit: "percent",
            values: (0..7)
                .map(|i| vec![i as f64 * 3.0 - 10.0, 0.004 * i as f64, -(i as f64)])
                .collect(),
            groups: None,
            extra: "",
        },
        Case {
            id: "lines",
            kind: "line",
            unit: "percent",
            values: one(&[-20.0, -40.0, -10.0, 5.0, -39.5, 12.0, 0.0, 3.0]),
            groups: Some(vec![0, 0, 0, 0, 1, 1, 1, 1]),
            extra: "",
        },
        Case {
            id: "single",
            kind: "line",
            unit: "count",
            values: one(&[0.35]),
            groups: Some(vec![0]),
            extra: "",
        },
        Case {
            id: "share",
            kind: "stacked_share",
            unit: "percent",
            values: one(&[70.4, 29.5, 0.1]),
            groups: None,
            extra: "",
        },
        Case {
            // The editor's axis ends, wider than the data on both sides, and tick decimals.
            id: "bounded",
            kind: "bar",
            unit: "percent",
            values: one(&[-12.5, 40.0, 87.25, 3.0]),
            groups: None,
            extra: "axis: {min: -100, max: 200, decimals: 1}\n",
        },
        Case {
            // A line's axis may start above zero (bars may not: `check` refuses that).
            id: "lifted",
            kind: "line",
            unit: "count",
            values: one(&[5.5, 6.25, 7.0, 8.75, 6.0]),
            groups: Some(vec![0, 0, 0, 0, 0]),
            extra: "axis: {min: 5, max: 9}\n",
        },
        Case {
            // Rises, falls, a lone dot, mixed signs, long names; a reference line.
            id: "dumbbell",
            kind: "dumbbell",
            unit: "count",
            values: one(&[120.0, 80.0, -15.0, 40.0, 7.5, 300.0, 310.0, 0.25]),
            groups: Some(vec![0, 0, 1, 1, 2, 3, 3, 4]),
            extra: "references:\n  - {value: 100, label: {zh: 参考线, en: Reference}}\n",
        },
        Case {
            id: "dumbbell_log",
            kind: "dumbbell",
            unit: "count",
            values: one(&[100.0, 30.0, 20.0, 0.5, 16.0, 0.0, 1.0]),
            groups: Some(vec![0, 0, 1, 1, 2, 2, 3]),
            extra: "axis: {scale: log, zero_label: {zh: 免费, en: Free}}\nreferences:\n  - {value: \"<=0.5\", label: {zh: 报告, en: Report}}\n",
        },
        Case {
            id: "crowded",
            kind: "stacked_share",
            unit: "percent",
            values: one(&[31.6, 9.5, 8.4, 7.8, 5.1, 4.9, 3.7, 29.0]),
            groups: None,
            extra: "",
        },
    ]
}

/// (x, y) of an attribute pair, as numbers.
fn f(n: roxmltree::Node, a: &str) -> f64 {
    n.attribute(a).and_then(|v| v.parse().ok()).unwrap_or(0.0)
}

/// A polyline's coordinates, x and y alternating.
fn points(n: roxmltree::Node) -> Option<Vec<f64>> {
    Some(
        n.attribute("points")?
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect(),
    )
}

/// The union box of a mark's rectangles: (x0, y0, x1, y1).
fn rect_box(g: roxmltree::Node) -> (f64, f64, f64, f64) {
    g.descendants()
        .filter(|n| n.has_tag_name("rect"))
        .map(|r| {
            let (x, y) = (f(r, "x"), f(r, "y"));
            (x, y, x + f(r, "width"), y + f(r, "height"))
        })
        .fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |a, b| {
            (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3))
        })
}

/// A generous width estimate for text in the page's sans-serif fonts: CJK one em, Latin
/// capitals and wide letters most of one, the rest 0.55.
fn est_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x2E80 {
                1.0
            } else if "MWmw@%".contains(c) {
                0.85
            } else if c.is_ascii_uppercase() {
                0.65
            } else if "il.,:;'|!".contains(c) {
                0.28
            } else {
                0.55
            }
        })
        .sum::<f64>()
        * size
}

/// A bar mark: its value, its box (x0, y0, x1, y1) and whether it is horizontal.
type Bar = (f64, (f64, f64, f64, f64), bool);

fn check_svg(case: &Case, where_: &str, svg: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{where_}: {e}\n{svg}"));
    let root = doc.root_element();
    let vb: Vec<f64> = root
        .attribute("viewBox")
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    let (w, h) = (vb[2], vb[3]);
    // No text outside the viewBox.
    for t in root.descendants().filter(|n| n.has_tag_name("text")) {
        let s = t.text().unwrap_or("").trim();
        let size = f(t, "font-size");
        assert!(size >= 11.0, "{where_}: text {s:?} at {size}");
        let tw = est_width(s, size) * 0.9;
        let x = f(t, "x");
        let (x0, x1) = match t.attribute("text-anchor") {
            Some("end") => (x - tw, x),
            Some("middle") => (x - tw / 2.0, x + tw / 2.0),
            _ => (x, x + tw),
        };
        let y = f(t, "y");
        assert!(
            x0 >= -1.0 && x1 <= w + 1.0 && y >= 0.0 && y <= h,
            "{where_}: text {s:?} at x {x0:.0}..{x1:.0}, y {y} outside 0 0 {w} {h}"
        );
    }
    // No two labels overlap (boxes from the estimated width and the baseline shift).
    let boxes: Vec<(String, [f64; 4])> = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|t| {
            let s = t.text().unwrap_or("").trim().to_string();
            let size = f(t, "font-size");
            let tw = est_width(&s, size) * 0.9;
            let x = f(t, "x");
            let (x0, x1) = match t.attribute("text-anchor") {
                Some("end") => (x - tw, x),
                Some("middle") => (x - tw / 2.0, x + tw / 2.0),
                _ => (x, x + tw),
            };
            let y = f(t, "y");
            let (y0, y1) = match t.attribute("dy") {
                Some(d) if d.starts_with('-') => (y - size * 0.8, y),
                Some("0.5ex") => (y - size * 0.4, y + size * 0.4),
                _ => (y, y + size * 0.8),
            };
            (s, [x0, y0, x1, y1])
        })
        .collect();
    for (i, (a, p)) in boxes.iter().enumerate() {
        for (b, q) in &boxes[i + 1..] {
            let overlap =
                p[0] < q[2] - 1.0 && q[0] < p[2] - 1.0 && p[1] < q[3] - 1.0 && q[1] < p[3] - 1.0;
            assert!(
                !overlap,
                "{where_}: labels {a:?} {p:?} and {b:?} {q:?} overlap"
            );
        }
    }
    // Every mark has a title with its value and a number.
    let marks: Vec<_> = root
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("mark ")))
        .collect();
    let refs = case.extra.matches("- {value:").count();
    let expected: usize = case.values.iter().map(Vec::len).sum::<usize>() + refs;
    assert_eq!(
        marks.len(),
        expected,
        "{where_}: one mark per value and reference"
    );
    for m in &marks {
        let title = m
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|t| t.text())
            .unwrap_or("");
        assert!(title.len() > 2, "{where_}: mark without a title");
        let v: f64 = m.attribute("data-value").unwrap().parse().unwrap();
        assert!(v.is_finite(), "{where_}");
        // No non-zero value is written as 0.
        let shown = title.rsplit([':', '：']).next().unwrap().trim();
        if v != 0.0 {
            assert!(
                shown.chars().any(|c| c.is_ascii_digit() && c != '0'),
                "{where_}: {v} shown as {shown:?}"
            );
        }
    }
    let class = |m: &roxmltree::Node| m.attribute("class").unwrap_or("").to_string();
    let bars: Vec<Bar> = marks
        .iter()
        .filter(|m| class(m).contains("bar-"))
        // A zero bar may be drawn as no rectangle at all: it has no length to check.
        .filter(|m| m.descendants().any(|n| n.has_tag_name("rect")))
        .map(|m| {
            (
                m.attribute("data-value").unwrap().parse().unwrap(),
                rect_box(*m),
                class(m).contains("bar-h"),
            )
        })
        .collect();
    if !bars.is_empty() {
        let horizontal = bars[0].2;
        // The zero line: every bar starts on it, positive ones grow up (right), negative ones
        // down (left); lengths are proportional to |value|.
        let base = |(v, b, _): &Bar| match (horizontal, *v < 0.0) {
            (false, false) => b.3,
            (false, true) => b.1,
            (true, false) => b.0,
            (true, true) => b.2,
        };
        let len = |b: &(f64, f64, f64, f64)| if horizontal { b.2 - b.0 } else { b.3 - b.1 };
        let zero = base(&bars[0]);
        let vmax = bars.iter().map(|b| b.0.abs()).fold(0.0, f64::max);
        let lmax = bars.iter().map(|b| len(&b.1)).fold(0.0, f64::max);
        for bar in &bars {
            assert!(
                (base(bar) - zero).abs() <= 1.0,
                "{where_}: bar {} starts at {} not at zero {zero}",
                bar.0,
                base(bar)
            );
            if vmax > 0.0 {
                let want = bar.0.abs() / vmax * lmax;
                assert!(
                    // Both ends are rounded to whole pixels.
                    (len(&bar.1) - want).abs() <= 2.0,
                    "{where_}: bar {} is {} long, want {want:.1}",
                    bar.0,
                    len(&bar.1)
                );
            }
        }
        // The zero line is drawn (plotters writes a straight line as a two-point polyline).
        let segments: Vec<(String, [f64; 4])> = root
            .descendants()
            .filter_map(|n| {
                let class = n.attribute("class").unwrap_or("").to_string();
                if n.has_tag_name("line") {
                    Some((class, [f(n, "x1"), f(n, "y1"), f(n, "x2"), f(n, "y2")]))
                } else if n.has_tag_name("polyline") {
                    let p = points(n)?;
                    (p.len() == 4).then(|| (class, [p[0], p[1], p[2], p[3]]))
                } else {
                    None
                }
            })
            .collect();
        let axis = segments.iter().any(|(class, [x1, y1, x2, y2])| {
            class.split(' ').any(|c| c == "k-axis")
                && if horizontal {
                    *x1 == zero && *x2 == zero
                } else {
                    *y1 == zero && *y2 == zero
                }
        });
        let lines: Vec<String> = segments.iter().map(|(c, p)| format!("{c} {p:?}")).collect();
        assert!(axis, "{where_}: no zero line at {zero}; lines: {lines:?}");
    }
    // Points: higher values higher up, distinct values apart.
    // (Dumbbells: further right; zero in a log chart's own column is left out.)
    let across = case.kind == "dumbbell";
    let points: Vec<(f64, f64)> = marks
        .iter()
        .filter(|m| class(m).contains("point"))
        .filter(|m| !(case.extra.contains("log") && m.attribute("data-value") == Some("0")))
        .map(|m| {
            let c = m.descendants().find(|n| n.has_tag_name("circle")).unwrap();
            let v: f64 = m.attribute("data-value").unwrap().parse().unwrap();
            // Compared as heights: for dumbbells, minus x so that further right reads higher.
            (v, if across { -f(c, "cx") } else { f(c, "cy") })
        })
        .collect();
    let span = points.iter().map(|p| p.0).fold(0.0, f64::max)
        - points.iter().map(|p| p.0).fold(0.0, f64::min);
    for a in &points {
        for b in &points {
            if a.0 > b.0 {
                assert!(a.1 <= b.1, "{where_}: {} drawn below {}", a.0, b.0);
                if a.0 - b.0 > span * 0.02 {
                    assert!(a.1 < b.1, "{where_}: {} and {} at one height", a.0, b.0);
                }
            }
        }
    }
}

/// Reference marks sit at their values on the bars' scale: a line at its value, a band between
/// its ends (from the axis's start for an upper bound).
fn check_references(where_: &str, svg: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let marks: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("mark ")))
        .collect();
    let is = |m: &roxmltree::Node, c: &str| m.attribute("class").unwrap_or("").contains(c);
    let bars: Vec<(f64, (f64, f64, f64, f64))> = marks
        .iter()
        .filter(|m| is(m, "bar-") && m.descendants().any(|n| n.has_tag_name("rect")))
        .map(|m| {
            (
                m.attribute("data-value").unwrap().parse().unwrap(),
                rect_box(*m),
            )
        })
        .collect();
    let horizontal = marks.iter().any(|m| is(m, "bar-h"));
    // Position along the value axis of value v, from two bars of different values.
    let pos = |b: &(f64, f64, f64, f64), v: f64| {
        if horizontal {
            if v < 0.0 { b.0 } else { b.2 }
        } else if v < 0.0 {
            b.3
        } else {
            b.1
        }
    };
    // The scale from the two bars furthest apart (each end is rounded to a whole pixel).
    let a = bars.iter().min_by(|x, y| x.0.total_cmp(&y.0)).unwrap();
    let b = bars.iter().max_by(|x, y| x.0.total_cmp(&y.0)).unwrap();
    let k = (pos(&b.1, b.0) - pos(&a.1, a.0)) / (b.0 - a.0);
    let at = |v: f64| pos(&a.1, a.0) + (v - a.0) * k;
    for m in marks.iter().filter(|m| is(m, "reference")) {
        let v: f64 = m.attribute("data-value").unwrap().parse().unwrap();
        let title = m
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|t| t.text());
        assert!(
            title.is_some_and(|t| t.len() > 3),
            "{where_}: reference {v} without a title"
        );
        let lines: Vec<f64> = m
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .filter_map(|n| {
                let p = points(n)?;
                Some(if horizontal { p[0] } else { p[1] })
            })
            .collect();
        match m.attribute("data-hi") {
            Some(hi) => {
                let hi: f64 = hi.parse().unwrap();
                let (x0, y0, x1, y1) = rect_box(*m);
                let (p0, p1) = if horizontal { (x0, x1) } else { (y0, y1) };
                let (w0, w1) = (at(v).min(at(hi)), at(v).max(at(hi)));
                assert!(
                    (p0 - w0).abs() <= 2.0 && (p1 - w1).abs() <= 2.0,
                    "{where_}: band {v}..{hi} drawn {p0}..{p1}, want {w0:.1}..{w1:.1}"
                );
            }
            None => assert!(
                lines.iter().any(|p| (p - at(v)).abs() <= 2.0),
                "{where_}: reference {v} drawn at {lines:?}, want {:.1}",
                at(v)
            ),
        }
    }
}

#[test]
fn generated_data_is_drawn_to_scale() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    for d in ["content/data", "content/charts", "content/zh", "content/en"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(
        root.join("content/site.yaml"),
        "languages: [zh, en]\ntitle: {zh: 生成, en: Generated}\ndescription: {zh: 生成的数据。, en: Generated data.}\n",
    )
    .unwrap();
    let cases = cases();
    let blocks: String = cases
        .iter()
        .map(|c| format!("```chart\n{}\n```\n\n", c.id))
        .collect();
    for (lang, t) in [("zh", "图表"), ("en", "Charts")] {
        std::fs::write(
            root.join(format!("content/{lang}/_index.md")),
            "---\ntitle: x\n---\n",
        )
        .unwrap();
        std::fs::write(
            root.join(format!("content/{lang}/charts.md")),
            format!("---\ntitle: {t}\norder: 1\n---\n\n## {t} {{#charts}}\n\n{blocks}"),
        )
        .unwrap();
    }
    for c in &cases {
        write_case(&root, c);
    }
    let mut opts = yanbao::Options::new(root.clone());
    opts.output = dir.path().join("out");
    if let Err(e) = yanbao::build(&opts) {
        panic!("{e}");
    }
    for lang in ["zh", "en"] {
        let html = read(&opts.output.join(lang).join("charts/index.html"));
        let all = svgs(&html);
        assert_eq!(all.len(), cases.len() * 2, "{lang}");
        for (i, c) in cases.iter().enumerate() {
            for (variant, svg) in &all[i * 2..i * 2 + 2] {
                check_svg(c, &format!("{} {lang} {variant}", c.id), svg);
            }
        }
    }
    // The editor's axis ends are the first and last ticks, with the decimals asked for.
    let html = read(&opts.output.join("en/charts/index.html"));
    let all = svgs(&html);
    let at = |id: &str| cases.iter().position(|c| c.id == id).unwrap() * 2;
    let ticks = |svg: &str| -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect()
    };
    for (_, svg) in &all[at("bounded")..at("bounded") + 2] {
        let t = ticks(svg);
        let want = ["-100.0", "0.0", "100.0", "200.0"];
        assert!(t.windows(4).any(|w| w == want), "{t:?}");
    }
    for (_, svg) in &all[at("lifted")..at("lifted") + 2] {
        let t = ticks(svg);
        assert!(
            !t.contains(&"0".to_string()),
            "the axis starts at 5, not 0: {t:?}"
        );
        let first = t.iter().find(|v| !v.is_empty());
        assert!(
            first.is_some_and(|v| v == "5") && t.contains(&"9".to_string()),
            "{t:?}"
        );
    }
    for id in ["yoy", "negative"] {
        for (variant, svg) in &all[at(id)..at(id) + 2] {
            check_references(&format!("{id} {variant}"), svg);
        }
    }
    // One series: no legend; two: a legend entry each (on the page, outside the SVG).
    let single = &html[html.find("fig-single").unwrap()..];
    let single = &single[..single.find("</figure>").unwrap()];
    assert!(!single.contains("class=\"swatch\""), "{single}");
}
