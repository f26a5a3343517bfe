use super::*;

#[test]
fn explore() {
    let src = std::fs::read_to_string("/tmp/explore.fs").unwrap_or_default();
    println!("{}", check(&src));
}
