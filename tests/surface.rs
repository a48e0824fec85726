//! The public surface of each provider crate: one `Error` (supportkit's) at
//! the root and in the prelude, and a prelude that is enough to call, stream
//! and page. These are compile-time facts; the tests only have to build.

macro_rules! one_door {
    ($name:ident, $krate:ident, $list:ident) => {
        #[test]
        fn $name() {
            use $krate::prelude::*;

            // The root's `Error` and the prelude's are the runtime's, not progenitor's `Error<E>`.
            fn root(e: $krate::Error) -> supportkit_runtime::Error {
                e
            }
            fn prelude(e: Error) -> supportkit_runtime::Error {
                e
            }
            // `Client`, `OperationExt` and `PaginateExt` come with the prelude alone.
            #[allow(dead_code)]
            fn calls(client: &Client) {
                let _call = client.$list().call();
                let _stream = client.$list().stream();
                let _pages = client.$list().pages();
            }
            let _ = (root, prelude, calls);
        }
    };
}

one_door!(chatapi_has_one_door, supportkit_chatapi, list_users);
one_door!(tomticket_has_one_door, supportkit_tomticket, customer_list);
one_door!(tawk_has_one_door, supportkit_tawk, ticket_list);

/// The variants of `Provider`, read from the registry that declares them
/// (`Variant => module ("name");` lines of `registry!` in the facade).
fn registered_variants(root: &std::path::Path) -> Vec<String> {
    let registry = std::fs::read_to_string(root.join("crates/supportkit/src/providers/mod.rs"))
        .expect("the registry");
    let start = registry
        .find("registry! {")
        .expect("the registry! invocation");
    registry[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.trim() != "}")
        .filter_map(|l| {
            let (variant, rest) = l.trim().split_once(" => ")?;
            rest.ends_with(");").then(|| variant.to_owned())
        })
        .collect()
}

/// Branches on a `Provider` variant in `source`: match arms (`Provider::X =>`,
/// `Provider::X | ...`, `Provider::X if ...`), `matches!(.., Provider::X)`,
/// and `==`/`!=` comparisons with a variant. Comments are skipped; spacing and
/// line breaks do not matter.
fn provider_branches(source: &str, variants: &[String]) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    for variant in variants {
        let needle = format!("Provider::{variant}");
        for (at, _) in code.match_indices(&needle) {
            let after = &code[at + needle.len()..];
            let ident = |c: char| c.is_alphanumeric() || c == '_';
            if after.starts_with(ident) || code[..at].ends_with(ident) {
                continue; // a longer name (`WebhookProvider::Tawk`, `Provider::TawkX`)
            }
            let next = after.trim_start();
            let before = code[..at].trim_end();
            let arm = next.starts_with("=>")
                || (next.starts_with('|') && !next.starts_with("||"))
                || next.starts_with("if ");
            let compared = before.ends_with("==")
                || before.ends_with("!=")
                || next.starts_with("==")
                || next.starts_with("!=");
            let statement = &code[code[..at].rfind([';', '{', '}']).map_or(0, |i| i + 1)..at];
            let in_matches = statement.contains("matches!(");
            if arm || compared || in_matches {
                let line = code[..at].matches('\n').count() + 1;
                found.push(format!("line {line}: {needle}"));
            }
        }
    }
    found
}

/// Outside the provider kits (`crates/supportkit/src/providers/`), no
/// hand-written source branches on a `Provider` variant: the facade, events,
/// CLI, sync and MCP crates iterate over the registry of kits instead.
#[test]
fn no_code_outside_the_kits_branches_on_a_provider() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let variants = registered_variants(&root);
    assert_eq!(variants, ["ChatApi", "TomTicket", "Tawk"]);

    // The scanner sees arms however they are formatted.
    let sample = "match p {\n    Provider::Tawk\n        => 1,\n    Provider::ChatApi | Provider::TomTicket => 2,\n}\n// Provider::Tawk => 3\nlet a = Provider::Tawk; let w = WebhookProvider::Tawk => 0; let b = matches!(p, Provider::Tawk); if p != Provider::ChatApi {}";
    assert_eq!(
        provider_branches(sample, &variants).len(),
        5,
        "{:?}",
        provider_branches(sample, &variants)
    );

    let kits = root.join("crates/supportkit/src/providers");
    let mut files = Vec::new();
    let mut dirs = vec![root.join("crates")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let name = path.file_name().unwrap();
                if path.starts_with(&kits) || name == "target" {
                    continue;
                }
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "generated.rs")
                && path.components().any(|c| c.as_os_str() == "src")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "scanned only {} files", files.len());
    let mut branches = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for found in provider_branches(&source, &variants) {
            branches.push(format!(
                "{}: {found}",
                file.strip_prefix(&root).unwrap().display()
            ));
        }
    }
    assert_eq!(
        branches,
        Vec::<String>::new(),
        "code outside the provider kits branches on a provider; move it into the kit"
    );
}

/// No hand-written Rust file is over 600 lines unless it says why at its top
/// (`Over 600 lines, ...` in its first lines): a longer file usually holds
/// several concerns. Generated code is exempt.
#[test]
fn no_hand_written_file_is_over_600_lines_without_a_reason() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs = vec![root.join("crates"), root.join("xtask"), root.join("tests")];
    let (mut scanned, mut long) = (0, Vec::new());
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && name != "node_modules" {
                    dirs.push(path);
                }
                continue;
            }
            if !name.ends_with(".rs") || name == "generated.rs" {
                continue;
            }
            scanned += 1;
            let source = std::fs::read_to_string(&path).unwrap();
            let lines = source.lines().count();
            let head: String = source.lines().take(20).collect::<Vec<_>>().join("\n");
            if lines > 600 && !head.contains("Over 600 lines") {
                long.push(format!(
                    "{} ({lines} lines)",
                    path.strip_prefix(&root).unwrap().display()
                ));
            }
        }
    }
    assert!(scanned > 100, "scanned only {scanned} files");
    long.sort();
    assert!(
        long.is_empty(),
        "split these by concern, or say at the top why not (`Over 600 lines, ...`):\n{}",
        long.join("\n")
    );
}
