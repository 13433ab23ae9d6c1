#include "http/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "http/errc.hpp"

namespace rosterd::http {
namespace {

std::string openssl_reason(const boost::system::error_code& ec) {
  std::string out = ec.message();
  ERR_clear_error();
  return out;
}

}  // namespace

base::result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const std::filesystem::path& cert_chain_file, const base::secret& private_key_pem) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);

  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_chain_file.string(), ec);
  if (ec) {
    return base::fail(errc::bad_certificate, "cannot load TLS certificate chain " +
                                                 cert_chain_file.string() + ": " +
                                                 openssl_reason(ec));
  }
  ctx->use_private_key(
      boost::asio::buffer(private_key_pem.reveal().data(), private_key_pem.reveal().size()),
      ssl::context::pem, ec);
  if (ec) {
    const auto reason = openssl_reason(ec);
    if (reason.find("mismatch") != std::string::npos) {
      return base::fail(errc::bad_key, "the TLS private key does not match the certificate in " +
                                           cert_chain_file.string());
    }
    return base::fail(errc::bad_key, "cannot load TLS private key (PEM expected): " + reason);
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ERR_clear_error();
    return base::fail(errc::bad_key, "the TLS private key does not match the certificate in " +
                                         cert_chain_file.string());
  }
  return ctx;
}

}  // namespace rosterd::http
