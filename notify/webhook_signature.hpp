#pragma once
// Signing webhook deliveries the Standard Webhooks way, so receivers can verify them with any
// of its libraries: the secret is "whsec_" + base64 of the key bytes, the signed text is
// "<webhook-id>.<webhook-timestamp>.<body>", and the webhook-signature header carries
// "v1,<base64 HMAC-SHA256>", one per active secret, separated by spaces (so a receiver keeps
// verifying while an endpoint's secret is being rotated).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"

namespace rosterd::notify {

/// A fresh endpoint secret: "whsec_" + base64 of 32 random bytes. Shown to the admin once.
base::secret generate_webhook_secret();

/// Checks a secret's form ("whsec_" + standard base64 of 24 to 64 bytes) and returns the key
/// bytes. Fails with a detail that says what is wrong, never echoing the secret.
base::result<base::secret> webhook_signing_key(std::string_view whsec);

/// The webhook-signature header value for one delivery attempt: "v1,<sig>" per key, in the
/// order given. `keys` are signing keys as webhook_signing_key returns them.
std::string sign_webhook(const std::vector<base::secret>& keys, std::string_view webhook_id,
                         std::chrono::system_clock::time_point timestamp, std::string_view body);

/// webhook-timestamp: whole seconds since the Unix epoch.
std::string webhook_timestamp(std::chrono::system_clock::time_point t);

}  // namespace rosterd::notify
