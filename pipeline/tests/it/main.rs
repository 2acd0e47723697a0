//! Integration tests of nya-pipeline (one test binary, modules below).

mod hub;
mod refine_run;
mod remote_source;
