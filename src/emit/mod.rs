//! Files made from the checked site besides its pages: data downloads, the search index, and
//! the files that describe the site to machines.

pub mod cite;
pub mod datapackage;
pub mod downloads;
pub mod meta;
pub mod search;
pub mod table;
