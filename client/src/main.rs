fn main() {
    client::start();
}
