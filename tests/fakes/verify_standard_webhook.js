// Verifies one webhook delivery with the Standard Webhooks reference library for TypeScript
// (npm "standardwebhooks"), an implementation independent of rosterd's own signing code.
// Reads {"secret","id","timestamp","signature","body"} as JSON on stdin; prints "verified" and
// exits 0, or prints why and exits 1. NODE_PATH points at the installed node_modules.
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const m = JSON.parse(input);
  try {
    new Webhook(m.secret).verify(m.body, {
      "webhook-id": m.id,
      "webhook-timestamp": m.timestamp,
      "webhook-signature": m.signature,
    });
    console.log("verified");
  } catch (e) {
    console.log("not verified: " + e.message);
    process.exit(1);
  }
});
