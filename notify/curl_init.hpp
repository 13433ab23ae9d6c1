#pragma once
// libcurl's global initialisation, done once for every curl user in notify (SMTP, webhooks):
// curl_global_init is not thread-safe on every build, so two senders starting together must not
// each call it.

namespace rosterd::notify {

/// Calls curl_global_init once per process; throws std::runtime_error when it fails.
void curl_global_once();

}  // namespace rosterd::notify
