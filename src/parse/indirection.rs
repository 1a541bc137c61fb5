//! stub
use super::Parsed;
use crate::discover::Repo;
pub fn follow(_repo: &Repo, _out: &mut Parsed) {}
