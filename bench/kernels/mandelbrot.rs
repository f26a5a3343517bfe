// mandelbrot benchmark kernel (Rust): render the Mandelbrot set as a PBM (P4) bitmap, see SPEC.md.

use std::io::{self, BufWriter, Write};

fn main() {
    let n: usize = std::env::args().nth(1).map(|s| s.parse().expect("N must be a number")).unwrap_or(16000);
    let row_bytes = (n + 7) / 8;
    let mut row = Vec::with_capacity(row_bytes);

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    write!(out, "P4\n{} {}\n", n, n).unwrap();

    for y in 0..n {
        let ci = 2.0 * y as f64 / n as f64 - 1.0;
        row.clear();
        let mut bits: u8 = 0;
        for x in 0..n {
            let cr = 2.0 * x as f64 / n as f64 - 1.5;
            let (mut zr, mut zi, mut tr, mut ti) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
            let mut i = 0;
            while i < 50 && tr + ti <= 4.0 {
                zi = 2.0 * zr * zi + ci;
                zr = tr - ti + cr;
                tr = zr * zr;
                ti = zi * zi;
                i += 1;
            }
            bits = (bits << 1) | (tr + ti <= 4.0) as u8;
            if x % 8 == 7 {
                row.push(bits);
                bits = 0;
            }
        }
        if n % 8 != 0 {
            row.push(bits << (8 - n % 8));
        }
        out.write_all(&row).unwrap();
    }
    out.flush().unwrap();
}
