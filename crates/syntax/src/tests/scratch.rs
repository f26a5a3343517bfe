#[test]
fn scratch() {
    let src = std::fs::read_to_string("/tmp/explore.fs").unwrap_or_default();
    println!("{}", super::check(&src));
}
