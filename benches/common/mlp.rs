//! The perceptron loss the benchmarks share.

/// The peer kit's W5 loss: an n-n-n-1 perceptron with sigmoid hidden units, inlined, and
/// its parameters. `sep` goes between indices: the kit writes `u12` (`""`); for n ≥ 10
/// names need `"_"` to stay distinct (`u1_11` and `u11_1`, not `u111` twice).
pub fn mlp(n: usize, sep: &str) -> (String, Vec<String>) {
    let sigmoid = |s: String| format!("1/(1+exp(-({s})))");
    let mut params = Vec::new();
    let layer1: Vec<String> = (1..=n)
        .map(|j| {
            let terms: Vec<String> = (1..=n).map(|i| format!("u{j}{sep}{i}*x{i}")).collect();
            params.extend((1..=n).map(|i| format!("u{j}{sep}{i}")));
            params.push(format!("c{j}"));
            sigmoid(format!("{}+c{j}", terms.join("+")))
        })
        .collect();
    let layer2: Vec<String> = (1..=n)
        .map(|k| {
            let terms: Vec<String> = (1..=n)
                .map(|j| format!("v{k}{sep}{j}*{}", layer1[j - 1]))
                .collect();
            params.extend((1..=n).map(|j| format!("v{k}{sep}{j}")));
            params.push(format!("d{k}"));
            sigmoid(format!("{}+d{k}", terms.join("+")))
        })
        .collect();
    let out: Vec<String> = (1..=n).map(|k| format!("w{k}*{}", layer2[k - 1])).collect();
    params.extend((1..=n).map(|k| format!("w{k}")));
    params.push("b0".into());
    (format!("1/2*(y-({}+b0))^2", out.join("+")), params)
}
