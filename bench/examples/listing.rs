//! Prints the combinator listing of an example: `cargo run -p quiver-bench --example listing -- examples/kv.sm`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: listing FILE.sm");
    let src = std::fs::read_to_string(&path).expect("the file reads");
    let compiled = quiver_lang::driver::compile(&src, &path, None).expect("it compiles");
    println!("{}", quiver_lang::driver::comb_listing(&compiled.artifact));
}
