//! Docs for the variants of the pallet error enums served.
//!
//! The Python SDK names a failed extrinsic's `DispatchError::Module` error (pallet index, first
//! error byte → variant of that pallet's error enum) only when the metadata gives the variant
//! docs; with none it reports `UnknownError`. So every served error variant has docs: its own
//! doc comment where it has one (the error enums capture theirs with
//! `#[scale_info(capture_docs = "always")]`, whatever scale-info's `docs` feature says), else a
//! sentence made from its name (`AccountNotAllowedCommit` → "Account not allowed commit.").

use scale_info::{PortableRegistry, TypeDef};

/// Gives every variant of the enums `error_types` (type ids in `types`) that has no docs a
/// sentence made from its name. Ids that are not enums are left alone.
pub fn document_errors(types: &mut PortableRegistry, error_types: &[u32]) {
    for entry in &mut types.types {
        if !error_types.contains(&entry.id) {
            continue;
        }
        if let TypeDef::Variant(def) = &mut entry.ty.type_def {
            for variant in &mut def.variants {
                if variant.docs.iter().all(|line| line.trim().is_empty()) {
                    variant.docs = vec![sentence_from_name(&variant.name)];
                }
            }
        }
    }
}

/// A `CamelCase` name as a sentence: words split where a capital follows a lower-case letter
/// or digit, words after the first lower-cased unless they hold more than one capital (so
/// `UIds` or `TAO` stay as written), and a full stop.
pub fn sentence_from_name(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        let boundary =
            c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit());
        match words.last_mut() {
            Some(word) if !boundary => word.push(c),
            _ => words.push(c.to_string()),
        }
        previous = Some(c);
    }
    let words: Vec<String> = words
        .into_iter()
        .enumerate()
        .map(|(i, word)| {
            let capitals = word.chars().filter(|c| c.is_uppercase()).count();
            if i == 0 || capitals > 1 {
                word
            } else {
                word.to_lowercase()
            }
        })
        .collect();
    format!("{}.", words.join(" "))
}

#[cfg(test)]
mod tests {
    use scale_info::{TypeDef, TypeInfo};

    use super::*;
    use crate::runtime::mirror_v15;

    #[test]
    fn runtime_error_names_become_sentences() {
        assert_eq!(
            sentence_from_name("AccountNotAllowedCommit"),
            "Account not allowed commit."
        );
        assert_eq!(
            sentence_from_name("MaxAllowedUIdsLessThanCurrentUIds"),
            "Max allowed UIds less than current UIds."
        );
        assert_eq!(sentence_from_name("NotEnoughTAO"), "Not enough TAO.");
        assert_eq!(sentence_from_name("Ipv4Only"), "Ipv4 only.");
        assert_eq!(sentence_from_name("X"), "X.");
        assert_eq!(sentence_from_name(""), ".");
    }

    #[test]
    fn runtime_every_served_error_variant_has_docs() {
        let md = mirror_v15();
        let mut checked = 0;
        for pallet in &md.pallets {
            let Some(error) = &pallet.error else { continue };
            let Some(TypeDef::Variant(def)) = md.types.resolve(error.ty.id).map(|t| &t.type_def)
            else {
                panic!("{} errors are not an enum", pallet.name);
            };
            for variant in &def.variants {
                let docs = variant.docs.join(" ");
                assert!(!docs.trim().is_empty(), "{}::{}", pallet.name, variant.name);
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} error variants");
    }

    #[test]
    fn runtime_error_doc_comments_win_over_made_up_sentences() {
        let md = mirror_v15();
        let variant = |pallet: &str, name: &str| {
            let id = md
                .pallets
                .iter()
                .find(|p| p.name == pallet)
                .and_then(|p| p.error.as_ref())
                .map(|e| e.ty.id);
            match id.and_then(|id| md.types.resolve(id)).map(|t| &t.type_def) {
                Some(TypeDef::Variant(def)) => def
                    .variants
                    .iter()
                    .find(|v| v.name == name)
                    .map(|v| v.docs.join(" ")),
                _ => None,
            }
        };
        assert_eq!(
            variant("Commitments", "AccountNotAllowedCommit").as_deref(),
            Some("The hotkey is not registered on the subnet.")
        );
        assert_eq!(
            variant("SubtensorModule", "HotKeyNotRegisteredInSubNet").as_deref(),
            Some("Hot key not registered in sub net.")
        );
        // Other enums keep what they have (none, without the docs feature).
        #[derive(TypeInfo)]
        enum Plain {
            /// Documented.
            #[allow(dead_code)]
            A,
        }
        let mut registry = scale_info::Registry::new();
        let id = registry.register_type(&scale_info::meta_type::<Plain>()).id;
        let mut types: PortableRegistry = registry.into();
        document_errors(&mut types, &[id + 1]);
        let docs = match types.resolve(id).map(|t| &t.type_def) {
            Some(TypeDef::Variant(def)) => def.variants.first().map(|v| v.docs.clone()),
            _ => None,
        };
        assert_eq!(docs, Some(Vec::new()));
    }
}
