//! `yanbao serve`: the live preview.

use crate::{Error, Options, Result};

pub fn serve(_opts: &Options, _bind: &str, _port: u16, _open: bool) -> Result<()> {
    Err(Error::Serve("serve is being written (issue 6)".into()))
}
