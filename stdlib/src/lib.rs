//! The standard library as users see it: the qualified names they call (`Map.insert`) and the
//! primitive each one means.
//!
//! What a primitive computes and what type it has is defined once, in `quiver_vm::prim` (the
//! registry both the checker and the verifier use); this crate only names them for the
//! surface language, documents them, and lists them for completion and `--help`.

use quiver_vm::prim::Prim;

/// A library function as the surface language names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Function {
    /// The module: `Map`, `List`, `String`, `Option`, `Int`.
    pub module: &'static str,
    pub name: &'static str,
    pub prim: Prim,
    /// The signature as users read it, and one sentence on what it does.
    pub doc: &'static str,
}

const fn f(module: &'static str, name: &'static str, prim: Prim, doc: &'static str) -> Function {
    Function {
        module,
        name,
        prim,
        doc,
    }
}

/// Every library function, grouped by module.
pub const FUNCTIONS: &[Function] = &[
    f(
        "Map",
        "insert",
        Prim::MapInsert,
        "(Map<K, V>, K, V) -> Map<K, V>: the map with `k` bound to `v`",
    ),
    f(
        "Map",
        "get",
        Prim::MapGet,
        "(Map<K, V>, K) -> Option<V>: the value at `k`, if any",
    ),
    f(
        "Map",
        "remove",
        Prim::MapRemove,
        "(Map<K, V>, K) -> Map<K, V>: the map without `k`",
    ),
    f(
        "Map",
        "len",
        Prim::MapLen,
        "Map<K, V> -> Int: the number of entries",
    ),
    f(
        "Map",
        "contains",
        Prim::MapContains,
        "(Map<K, V>, K) -> Bool: whether `k` has a value",
    ),
    f(
        "List",
        "push",
        Prim::ListPush,
        "(List<T>, T) -> List<T>: the list with `x` appended",
    ),
    f(
        "List",
        "len",
        Prim::ListLen,
        "List<T> -> Int: the number of elements",
    ),
    f(
        "List",
        "get",
        Prim::ListGet,
        "(List<T>, Int) -> Option<T>: the element at index `i`, if any",
    ),
    f(
        "List",
        "concat",
        Prim::ListConcat,
        "(List<T>, List<T>) -> List<T>: both lists, one after the other",
    ),
    f(
        "String",
        "len",
        Prim::StrLen,
        "String -> Int: the number of characters",
    ),
    f(
        "String",
        "from_int",
        Prim::IntToString,
        "Int -> String: the decimal digits of `n`",
    ),
    f(
        "String",
        "contains",
        Prim::StrContains,
        "(String, String) -> Bool: whether `s` contains `part`",
    ),
    f(
        "Option",
        "unwrap_or",
        Prim::OptionUnwrapOr,
        "(Option<T>, T) -> T: the value inside, or the default",
    ),
    f(
        "Option",
        "is_some",
        Prim::OptionIsSome,
        "Option<T> -> Bool: whether there is a value",
    ),
    f("Int", "min", Prim::Min, "(Int, Int) -> Int: the smaller"),
    f("Int", "max", Prim::Max, "(Int, Int) -> Int: the larger"),
    f(
        "Int",
        "abs",
        Prim::Abs,
        "Int -> Int: the absolute value; traps on the minimum Int",
    ),
];

/// The function `module.name`, if the library has it.
pub fn lookup(module: &str, name: &str) -> Option<&'static Function> {
    FUNCTIONS
        .iter()
        .find(|f| f.module == module && f.name == name)
}

/// The library's modules, in order.
pub fn modules() -> Vec<&'static str> {
    let mut modules: Vec<&'static str> = Vec::new();
    for function in FUNCTIONS {
        if !modules.contains(&function.module) {
            modules.push(function.module);
        }
    }
    modules
}

/// The names of a module's functions, for "did you mean" and completion.
pub fn names_in(module: &str) -> impl Iterator<Item = &'static str> + '_ {
    FUNCTIONS
        .iter()
        .filter(move |f| f.module == module)
        .map(|f| f.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_names_a_distinct_pair() {
        for (i, a) in FUNCTIONS.iter().enumerate() {
            for b in &FUNCTIONS[i + 1..] {
                assert!(
                    (a.module, a.name) != (b.module, b.name),
                    "{}.{} is listed twice",
                    a.module,
                    a.name
                );
            }
        }
    }

    #[test]
    fn each_documented_signature_has_the_primitives_arity() {
        for function in FUNCTIONS {
            let (params, _) = function
                .doc
                .split_once(" -> ")
                .expect("every doc starts with a signature");
            // Count top-level commas of a parenthesised parameter list.
            let documented = match params.strip_prefix('(') {
                None => 1,
                Some(inner) => {
                    let mut depth = 0;
                    1 + inner
                        .chars()
                        .filter(|c| {
                            match c {
                                '<' => depth += 1,
                                '>' => depth -= 1,
                                _ => {}
                            }
                            *c == ',' && depth == 0
                        })
                        .count()
                }
            };
            assert_eq!(
                documented,
                function.prim.arity(),
                "{}.{}",
                function.module,
                function.name
            );
        }
    }

    #[test]
    fn lookup_finds_functions_by_module_and_name() {
        assert_eq!(
            lookup("Map", "insert").map(|f| f.prim),
            Some(Prim::MapInsert)
        );
        assert_eq!(lookup("Map", "push"), None);
        assert_eq!(modules(), vec!["Map", "List", "String", "Option", "Int"]);
    }
}
