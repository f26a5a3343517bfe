//! The async event loop's I/O from outside: the `samples/http_hello.clef` server is
//! built, started on a free port, and talked to over loopback by this test, as a
//! client would (keep-alive, pipelined requests split across writes, a client that
//! closes at once), then it must exit by itself after the connections it was told to
//! serve.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RESPONSE: &str =
    "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

/// Reads until `n` whole responses have arrived (or the peer closes).
fn read_responses(stream: &mut TcpStream, n: usize) -> String {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    while String::from_utf8_lossy(&got).matches(RESPONSE).count() < n {
        let k = stream.read(&mut chunk).expect("the server answers");
        if k == 0 {
            break;
        }
        got.extend_from_slice(&chunk[..k]);
    }
    String::from_utf8_lossy(&got).to_string()
}

#[test]
fn http_hello_serves_keep_alive_and_pipelined_requests_over_loopback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = dir.path().join("http_hello");
    let src = repo_root().join("samples/http_hello.clef");
    let build = Command::new(env!("CARGO_BIN_EXE_composer"))
        .args(["build", src.to_str().unwrap(), "-o", exe.to_str().unwrap()])
        .output()
        .expect("composer runs");
    assert!(
        build.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&build.stderr)
    );
    // A free port: bound by the kernel's choice, then released for the server.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut server = Command::new(&exe)
        .args([port.to_string(), "3".to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the server says it listens");
    assert_eq!(line, format!("listening on 127.0.0.1:{port}\n"));

    // One request, then a second on the same connection (keep-alive).
    let mut a = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    a.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    a.write_all(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    assert_eq!(read_responses(&mut a, 1), RESPONSE);
    a.write_all(b"GET /again HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    assert_eq!(read_responses(&mut a, 1), RESPONSE);

    // Three pipelined requests, the blank line of the second split across writes.
    let mut b = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    b.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    b.write_all(b"GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nX: y\r\n\r")
        .unwrap();
    std::thread::sleep(Duration::from_millis(50));
    b.write_all(b"\nGET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_responses(&mut b, 3), RESPONSE.repeat(3));

    // A client that goes away without a request.
    drop(TcpStream::connect(("127.0.0.1", port)).expect("connects"));
    drop(a);
    drop(b);

    // Three connections served: the server waits for them and exits.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = server.kill();
            panic!("the server did not exit after its three connections");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    server
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        status.success(),
        "server failed: {status}; stderr: {stderr}"
    );
    assert_eq!(stderr, "");
}
