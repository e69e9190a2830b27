//! Every `console` example in the README runs and prints what the README shows.

#[test]
fn readme_examples() {
    trycmd::TestCases::new().case("README.md");
}
