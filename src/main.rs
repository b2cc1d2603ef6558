fn main() {
    std::process::exit(iacfix::cli::main());
}
