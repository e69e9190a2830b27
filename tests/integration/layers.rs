//! The architecture stays as the README's code map draws it: `src/` is a stack of layers,
//! and each uses only the layers below it (as rust-analyzer's tidy tests keep its rules).
//! A file names another layer by a `crate::` path; test modules (from `#[cfg(test)]` on)
//! may use anything. Methods on the pool are defined only in its own layer, so that a
//! call `pool.method()` never hides a dependency on a higher one.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers of `src/`, from the bottom up: a folder or a file, by its module name.
const LAYERS: [&str; 13] = [
    "error", "expr", "print", "algebra", "calculus", "parse", "program", "model", "verify",
    "request", "plot", "output", "cli",
];

/// Every `.rs` file below `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// The top-level module a file of `src/` belongs to: its folder, or its own name.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap();
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// The code of a file before its test module, without comments.
fn code(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names by `crate::` paths (`crate::print::…` and
/// `use crate::{print, expr::Pool}` alike); names that are not modules are the root's
/// re-exports, returned as they are.
fn named_modules(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if !first.is_empty() {
                    found.push(first.to_string());
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        found.push(name);
    }
    found
}

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for file in sources(&src) {
        let module = module_of(&src, &file);
        let Some(level) = LAYERS.iter().position(|&l| l == module) else {
            assert!(
                matches!(module.as_str(), "lib" | "main"),
                "{}: not in a layer; add it to LAYERS and the README's code map",
                file.display()
            );
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        for name in named_modules(&code(&text)) {
            match LAYERS.iter().position(|&l| l == name) {
                Some(used) if used > level => violations.push(format!(
                    "{}: layer `{module}` uses the higher layer `{name}`",
                    file.display()
                )),
                Some(_) => {}
                // A root re-export hides which layer it comes from.
                None => violations.push(format!(
                    "{}: `crate::{name}` names a root re-export; name its module instead",
                    file.display()
                )),
            }
        }
    }
    assert!(violations.is_empty(), "\n{}", violations.join("\n"));
}

#[test]
fn only_the_expression_layer_adds_methods_to_the_pool() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for file in sources(&src) {
        let text = fs::read_to_string(&file).unwrap();
        if code(&text).contains("impl Pool {") {
            assert_eq!(
                module_of(&src, &file),
                "expr",
                "{}: `impl Pool` outside src/expr/ hides a dependency behind method calls",
                file.display()
            );
        }
    }
}

#[test]
fn the_checker_sees_grouped_and_plain_paths() {
    let code = "use crate::{print::print, expr::Pool};\nlet x = crate::cli::run();";
    assert_eq!(named_modules(code), ["print", "expr", "cli"]);
    assert_eq!(code_without_tests(), "a\nb");
}

fn code_without_tests() -> String {
    code("a\n// comment\nb\n#[cfg(test)]\nmod tests { use crate::cli; }")
}
