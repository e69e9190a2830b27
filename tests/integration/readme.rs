//! Every `console` example in the README and the guide (`docs/GUIDE.md`) runs and prints
//! what it shows.

use crate::common::command::DERIV;

#[test]
fn readme_examples() {
    trycmd::TestCases::new()
        .case("README.md")
        .case("docs/GUIDE.md");
}

/// `text` blocks that start with `$ deriv`: outputs with backslashes (LaTeX), which trycmd
/// would normalize as paths, and failing commands. Each runs through `sh` and prints
/// exactly what the block shows.
#[test]
fn readme_text_examples() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let guide = std::fs::read_to_string("docs/GUIDE.md").expect("docs/GUIDE.md");
    let mut checked = 0;
    for block in [readme, guide]
        .iter()
        .flat_map(|text| text.split("```text\n").skip(1))
    {
        let block = block.split("```").next().unwrap_or_default();
        let Some(command) = block
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("$ deriv "))
        else {
            continue;
        };
        let expected: String = block.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let script = format!("\"$DERIV\" {command}");
        let output = std::process::Command::new("sh")
            .args(["-c", &script])
            .env("DERIV", DERIV)
            .output()
            .expect("sh runs");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected,
            "{command}"
        );
        checked += 1;
    }
    assert!(checked >= 5, "the README's text examples were not found");
}
