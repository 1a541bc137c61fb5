//! stub
use super::Parsed;
use crate::discover::Repo;
pub fn parse(_repo: &Repo, _path: &str, _out: &mut Parsed) {}
