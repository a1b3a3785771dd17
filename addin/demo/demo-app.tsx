export function DemoApp() {
  return <p>Demo host</p>;
}
