//! Why a text filter removed a document.
//!
//! Every quality filter of the recipe answers `Ok(..)` (keep) or `Err(Rejection)`. A rejection names
//! the step (datatrove's name for the filter in FineWeb's pipeline: `gopher_rep`, `gopher_qual`,
//! `c4`, `fineweb_qual`) and the reason string datatrove 0.2.0 records for that decision
//! (`dup_line_frac`, `gopher_short_doc`, `too_few_sentences`, `line_punct_ratio`, ...), so a
//! document's fate can be compared one to one with a datatrove run. Displayed as `step: reason`.

use std::borrow::Cow;
use std::fmt;

/// A filter's decision to drop a document: the step that dropped it and datatrove's reason string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rejection {
    /// The filter step, e.g. `"gopher_qual"`.
    pub step: &'static str,
    /// datatrove's reason string, e.g. `"gopher_short_doc"` or `"top_2_gram"`.
    pub reason: Cow<'static, str>,
}

impl Rejection {
    /// A rejection with a fixed reason string.
    pub const fn new(step: &'static str, reason: &'static str) -> Self {
        Self {
            step,
            reason: Cow::Borrowed(reason),
        }
    }

    /// A rejection whose reason is built at run time (e.g. `top_3_gram`).
    pub fn with_reason(step: &'static str, reason: String) -> Self {
        Self {
            step,
            reason: Cow::Owned(reason),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.step, self.reason)
    }
}

impl std::error::Error for Rejection {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_step_and_reason() {
        let fixed = Rejection::new("gopher_qual", "gopher_short_doc");
        assert_eq!(fixed.to_string(), "gopher_qual: gopher_short_doc");
        let built = Rejection::with_reason("gopher_rep", format!("top_{}_gram", 2));
        assert_eq!(built.to_string(), "gopher_rep: top_2_gram");
        assert_eq!(built, Rejection::new("gopher_rep", "top_2_gram"));
    }
}
