// fannkuch benchmark kernel (Rust): pancake flips over all permutations of 0..N-1, see SPEC.md.

fn count_flips(perm: &mut [usize]) -> i32 {
    let mut flips = 0;
    while perm[0] != 0 {
        let k = perm[0];
        perm[..=k].reverse();
        flips += 1;
    }
    flips
}

fn main() {
    let n: usize = std::env::args().nth(1).map(|s| s.parse().expect("N must be a number")).unwrap_or(12);
    assert!(n >= 1, "N must be at least 1");

    let mut perm1: Vec<usize> = (0..n).collect();
    let mut perm = vec![0usize; n];
    let mut count: Vec<usize> = (1..=n).collect();

    let mut checksum: i64 = 0;
    let mut max_flips = 0;
    let mut index: u64 = 0;

    loop {
        // Count the flips of this permutation on a copy.
        perm.copy_from_slice(&perm1);
        let flips = count_flips(&mut perm);
        max_flips = max_flips.max(flips);
        checksum += if index % 2 == 0 { flips as i64 } else { -(flips as i64) };
        index += 1;

        // Next permutation.
        let mut r = 1;
        loop {
            if r == n {
                println!("{}\nPfannkuchen({}) = {}", checksum, n, max_flips);
                return;
            }
            perm1[..=r].rotate_left(1);
            count[r] -= 1;
            if count[r] > 0 {
                break;
            }
            count[r] = r + 1;
            r += 1;
        }
    }
}
