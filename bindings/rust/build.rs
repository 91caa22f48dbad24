// The library is found and linked by btopt-sys (its build.rs). Cargo passes
// a dependency's rpath on to no one, so this crate records it again for its
// own tests and examples, and tells the tests where the library (and the
// test plugins built beside it) lie.
fn main() {
    let dir = std::env::var("DEP_BTOPT_LIB_DIR").expect("btopt-sys passes DEP_BTOPT_LIB_DIR");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    println!("cargo:rustc-env=BTOPT_LIB_DIR_AT_BUILD={dir}");
}
