//! The checked site as plain types: what loading and checking produce and what rendering and
//! the downloads read. Pure: no I/O, no HTML, no positions.

pub mod chart;
pub mod cite;
pub mod config;
pub mod data;
pub mod display;
pub mod doc;
pub mod fingerprint;
pub mod lang;
pub mod quantity;
pub mod site;
pub mod text;
pub mod time;
pub mod translation;

pub use site::HOME_KEY;
