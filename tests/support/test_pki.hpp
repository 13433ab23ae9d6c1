#pragma once
// A throwaway certificate authority for real TLS in tests (made with the openssl CLI): a CA,
// a server certificate it signed for DNS:localhost and IP:127.0.0.1, and on request further
// certificates for other names, or self-signed ones, to prove that verification refuses them.

#include <filesystem>
#include <string>

#include "tests/support/process.hpp"

namespace rosterd::testing {

struct certificate_files {
  std::filesystem::path certificate;
  std::filesystem::path key;
};

class test_pki {
 public:
  /// Makes the CA and the localhost server certificate. Throws std::runtime_error when openssl
  /// fails (with its output).
  test_pki();
  [[nodiscard]] std::filesystem::path ca_certificate() const { return dir_ / "ca.crt"; }
  [[nodiscard]] std::filesystem::path server_certificate() const { return dir_ / "server.crt"; }
  [[nodiscard]] std::filesystem::path server_key() const { return dir_ / "server.key"; }
  [[nodiscard]] certificate_files server() const { return {server_certificate(), server_key()}; }

  /// Another certificate signed by this CA, for `subject_alt_name` ("DNS:wrong.example"), stored
  /// as <name>.crt / <name>.key.
  [[nodiscard]] certificate_files issue(const std::string& name,
                                        const std::string& subject_alt_name) const;
  /// A certificate for localhost that no CA signed (stored as <name>.crt / <name>.key).
  [[nodiscard]] certificate_files self_signed(const std::string& name) const;
  /// A certificate for localhost and 127.0.0.1 signed by this CA that expired long ago (valid
  /// 1-2 January 2020), made with `openssl ca` (stored as <name>.crt / <name>.key).
  [[nodiscard]] certificate_files expired(const std::string& name) const;

  [[nodiscard]] const std::filesystem::path& directory() const { return dir_.path(); }

 private:
  temp_directory dir_;
};

}  // namespace rosterd::testing
