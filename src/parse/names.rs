//! The names a variable may not take: built-in functions and constants.

/// Whether `name` is a built-in function (see [`crate::expr::func::is_builtin_name`]).
pub(crate) fn is_function_name(name: &str) -> bool {
    crate::expr::func::is_builtin_name(name)
}

/// Checks that `name` can be a variable.
pub fn check_variable(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{name}` is not a variable name (a letter, then letters, digits or _)"
        ));
    }
    if matches!(name, "pi" | "π" | "e") {
        return Err(format!("`{name}` is a constant, not a variable"));
    }
    if crate::expr::func::is_builtin_name(name) {
        return Err(format!("`{name}` is a function, not a variable"));
    }
    Ok(())
}
