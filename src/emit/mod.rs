//! Files made from the checked site besides its pages: data downloads, the search index, and
//! the files that describe the site to machines.

pub mod cite;
pub mod datapackage;
pub mod downloads;
pub mod meta;
pub mod search;
pub mod table;

use crate::model::site::Site;

/// The files made from the model alone: downloads, citation files, the data package, redirects,
/// robots, sitemap and web manifest; the downloads and the data package from one set of tables.
pub fn model_files(site: &Site) -> Vec<(String, Vec<u8>)> {
    let tables = table::tables(site);
    let (mut out, rest) = rayon::join(
        || downloads::files(site, &tables),
        || {
            let mut out = cite::files(site);
            out.push((
                "datapackage.json".into(),
                datapackage::datapackage(site, &tables).into_bytes(),
            ));
            out.extend(
                meta::redirects(site)
                    .into_iter()
                    .map(|(path, html)| (path, html.into_bytes())),
            );
            out.push(("robots.txt".into(), meta::robots(site).into_bytes()));
            out.extend(
                meta::sitemaps(site)
                    .into_iter()
                    .map(|(path, xml)| (path, xml.into_bytes())),
            );
            out.push((
                "manifest.webmanifest".into(),
                meta::manifest(site).into_bytes(),
            ));
            out
        },
    );
    out.extend(rest);
    out
}
