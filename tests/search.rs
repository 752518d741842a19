//! Search a reader can trust: real queries in both languages, each with the section it must
//! return among the first three results, run with the site's own search script (in Node, without
//! a browser) against the index the build wrote; and the script's tokenisers compared with the
//! Rust ones. A large generated site checks the sharded index the same way.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// (language, query, the end of the link that must be among the top three)
const QUERIES: &[(&str, &str, &str)] = &[
    ("zh", "157亿", "status/index.html#market-size"),
    ("zh", "1130亿元", "status/index.html#market-size"),
    ("zh", "大模型价格", "status/index.html#price-cuts"),
    ("zh", "最新价格", "status/index.html#tab-prices"),
    ("zh", "市场规模", "status/index.html#market-size"),
    (
        "zh",
        "百模大战",
        "glossary/index.html#term-battle-of-a-hundred-models",
    ),
    ("zh", "消费金融", "applications/index.html#finance-case"),
    ("zh", "算力平台", "trends/index.html#compute-coupling"),
    ("en", "pricing", "status/index.html#price-cuts"),
    ("en", "price cuts", "status/index.html#price-cuts"),
    ("en", "application market", "status/index.html#market-size"),
    ("en", "CNY 15.7 billion", "status/index.html#market-size"),
    (
        "en",
        "Battle of a Hundred Models",
        "glossary/index.html#term-battle-of-a-hundred-models",
    ),
    (
        "en",
        "consumer finance",
        "applications/index.html#finance-case",
    ),
    ("en", "list prices", "status/index.html#tab-prices"),
];

const TOKEN_SAMPLES: &[&str] = &[
    "大模型价格走势",
    "模型",
    "Large Models, companies; Prices",
    "GLM-4大模型 API调用",
    "MaaS服务用户已超千家",
    "classes boxes status GPUs pricing modelling",
    "规模为157亿元，2027年将达1130亿元",
    "CNY 15.7 billion in 2024",
];

fn node() -> String {
    std::env::var("NODE").unwrap_or_else(|_| "node".into())
}

fn run_queries(site: &Path, queries: &[(&str, &str, &str)]) {
    let cases = serde_json::json!({
        "queries": queries.iter().map(|(l, q, e)| serde_json::json!({"lang": l, "q": q, "expect": e})).collect::<Vec<_>>(),
        "tokens": TOKEN_SAMPLES.iter().map(|t| {
            let (index, query) = yanbao::search_tokens(t);
            serde_json::json!([t, index, query])
        }).collect::<Vec<_>>(),
    });
    let file = site.join("search-cases.json");
    std::fs::write(&file, cases.to_string()).unwrap();
    let out = Command::new(node())
        .arg(repo_root().join("tests/browser/search_queries.mjs"))
        .arg(site)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("search tests need Node.js (`node`): {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn real_queries_find_their_sections_in_the_top_three() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = yanbao::Options::new(repo_root());
    opts.output = dir.path().join("site");
    yanbao::build(&opts).unwrap();
    run_queries(&opts.output, QUERIES);
}

#[test]
fn a_large_site_gets_a_sharded_index_that_finds_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = yanbao::Options::new(sharded_site(dir.path()));
    opts.output = dir.path().join("out");
    yanbao::build(&opts).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&opts.output.join("search/en.json"))).unwrap();
    assert!(
        manifest["shards"].as_u64().unwrap() > 1,
        "a large index is sharded: {manifest}"
    );
    assert_eq!(manifest["ext"], ".json.gz", "{manifest}");
    // The shards are gzip files of JSON, the same bytes from build to build.
    for name in ["t0", "d0"] {
        let gz = std::fs::read(opts.output.join(format!("search/en/{name}.json.gz"))).unwrap();
        assert_eq!(&gz[..2], &[0x1f, 0x8b], "{name}: gzip");
        let mut json = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut json)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(v.is_object() || v.is_array(), "{name}: JSON");
        // A chunk's documents are [href, page, path, title]: the texts stay in the pages.
        if let Some(docs) = v.as_array() {
            assert!(
                docs.iter().all(|d| d.as_array().map(Vec::len) == Some(4)),
                "{name}: {v}"
            );
        }
    }
    let again = dir.path().join("again");
    opts.output = again.clone();
    yanbao::build(&opts).unwrap();
    opts.output = dir.path().join("out");
    assert_eq!(
        all_files(&again.join("search")),
        all_files(&opts.output.join("search"))
    );
    run_queries(
        &opts.output,
        &[
            ("en", "marker417word", "c0417/index.html#unique"),
            ("zh", "marker5word", "c0005/index.html#unique"),
        ],
    );
}
