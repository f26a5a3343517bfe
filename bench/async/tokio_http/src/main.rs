//! The tokio peer of samples/http_hello.clef: keep-alive, one task per connection,
//! requests counted by their blank line (also across reads and pipelined), one
//! fixed response with Content-Length, written with one write per response.
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!";

/// Request ends ("\r\n\r\n") completed by `bytes`, given `matched` bytes of one
/// matched before them; and how much of the next one is matched after them.
fn count_requests(bytes: &[u8], matched: usize) -> (usize, usize) {
    let mut m = matched;
    let mut requests = 0;
    for &b in bytes {
        let expected = if m % 2 == 0 { b'\r' } else { b'\n' };
        if b == expected {
            m += 1;
            if m == 4 {
                requests += 1;
                m = 0;
            }
        } else if b == b'\r' {
            m = 1;
        } else {
            m = 0;
        }
    }
    (requests, m)
}

async fn serve(mut conn: TcpStream) {
    let mut buffer = [0u8; 4096];
    let mut matched = 0;
    loop {
        let n = match conn.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let (requests, rest) = count_requests(&buffer[..n], matched);
        matched = rest;
        for _ in 0..requests {
            if conn.write_all(RESPONSE).await.is_err() {
                return;
            }
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("a port"))
        .unwrap_or(8080);
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("listen");
    println!("listening on 127.0.0.1:{port}");
    loop {
        if let Ok((conn, _)) = listener.accept().await {
            tokio::spawn(serve(conn));
        }
    }
}
