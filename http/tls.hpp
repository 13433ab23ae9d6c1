#pragma once
// Server-side TLS context from a certificate chain file and a private key held as a secret.

#include <filesystem>
#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "base/failure.hpp"
#include "base/secret.hpp"

namespace rosterd::http {

/// TLS 1.2+ server context. Fails with a detail naming the file when the chain or key cannot be
/// loaded or do not match; the key bytes never appear in the message.
base::result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const std::filesystem::path& cert_chain_file, const base::secret& private_key_pem);

}  // namespace rosterd::http
