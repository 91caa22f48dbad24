// Finds libbtopt.so, as -sys crates do (openssl-sys, libgit2-sys), in this
// order:
// 1. with the `vendored` feature, builds it from the btopt source tree with
//    CMake (BTOPT_SOURCE_DIR, else the tree this crate lies in);
// 2. $BTOPT_LIB_DIR, the folder holding it;
// 3. an installed btopt that pkg-config knows (PKG_CONFIG_PATH works as for C);
// 4. this repository's CMake build folder (../../../build/src).
// Links it by name, records an rpath for this crate's own tests, and passes
// the folder on as DEP_BTOPT_LIB_DIR.
use std::env;
use std::path::{Path, PathBuf};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
}

#[cfg(feature = "vendored")]
fn vendored() -> Option<PathBuf> {
    println!("cargo:rerun-if-env-changed=BTOPT_SOURCE_DIR");
    let source = env::var_os("BTOPT_SOURCE_DIR").map(PathBuf::from).unwrap_or_else(|| manifest_dir().join("../../.."));
    assert!(
        source.join("include/btopt/btopt.h").exists(),
        "the vendored feature builds btopt from its source tree: none at {} (set BTOPT_SOURCE_DIR)",
        source.display()
    );
    let mut config = cmake::Config::new(&source);
    config.generator("Ninja").profile("Release").define("BTOPT_BUILD_TESTS", "OFF").define("BTOPT_BUILD_BENCH", "OFF");
    // The worker comes with the library: the process backend starts it.
    for target in ["btopt-worker", "btopt"] {
        config.build_target(target).build();
    }
    Some(env::var("OUT_DIR").map(PathBuf::from).ok()?.join("build/src"))
}

#[cfg(not(feature = "vendored"))]
fn vendored() -> Option<PathBuf> {
    None
}

fn from_env() -> Option<PathBuf> {
    println!("cargo:rerun-if-env-changed=BTOPT_LIB_DIR");
    env::var_os("BTOPT_LIB_DIR").filter(|dir| !dir.is_empty()).map(PathBuf::from)
}

fn from_pkg_config() -> Option<PathBuf> {
    // Only the folder: this script emits the link lines itself, the same way
    // for every source.
    let library = pkg_config::Config::new().cargo_metadata(false).env_metadata(true).probe("btopt").ok()?;
    library.link_paths.into_iter().next()
}

fn in_this_repository() -> PathBuf {
    manifest_dir().join("../../../build/src")
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let dir = vendored().or_else(from_env).or_else(from_pkg_config).unwrap_or_else(in_this_repository);
    let dir = dir.canonicalize().unwrap_or(dir);
    if !Path::new(&dir).join("libbtopt.so").exists() {
        println!(
            "cargo:warning=no libbtopt.so in {}: install btopt (pkg-config btopt), build it here \
             (cmake --build build --target btopt btopt-worker), set BTOPT_LIB_DIR to the folder that \
             holds it, or enable the `vendored` feature",
            dir.display()
        );
    }
    let dir = dir.display();
    println!("cargo:rustc-link-search=native={dir}");
    println!("cargo:rustc-link-lib=dylib=btopt");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    println!("cargo:lib_dir={dir}"); // DEP_BTOPT_LIB_DIR for dependents' build scripts
}
