// Suspend + resume through a 3-deep chain of `async fn`s whose leaf is pending
// once, polled by a loop with a no-op waker (the cheapest executor there is).
// Prints the nanoseconds per round, like bench/async/suspend.clef.
use std::future::Future;
use std::hint::black_box;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Opaque to the optimiser, as a real leaf's readiness is.
        if black_box(self.0) {
            Poll::Ready(())
        } else {
            self.0 = true;
            black_box(cx.waker()).wake_by_ref();
            Poll::Pending
        }
    }
}

#[inline(never)]
async fn leaf() {
    YieldOnce(false).await
}

#[inline(never)]
async fn mid() {
    leaf().await
}

#[inline(never)]
async fn top() {
    mid().await
}

async fn rounds(n: u64) {
    for _ in 0..n {
        top().await;
    }
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("a number of rounds"))
        .unwrap_or(10_000_000);
    let mut cx = Context::from_waker(Waker::noop());
    let start = Instant::now();
    let mut fut = pin!(rounds(n));
    while black_box(fut.as_mut()).poll(&mut cx).is_pending() {}
    let elapsed = start.elapsed();
    println!("rounds {n}");
    println!("ns/round {:.2}", elapsed.as_nanos() as f64 / n as f64);
}
