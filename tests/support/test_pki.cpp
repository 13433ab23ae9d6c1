#include "tests/support/test_pki.hpp"

#include <stdexcept>
#include <vector>

namespace rosterd::testing {
namespace {

void openssl(const std::vector<std::string>& args) {
  const auto r = run_to_end("/usr/bin/openssl", args);
  if (r.exit_code != 0) {
    throw std::runtime_error("openssl " + args.front() + " failed: " + r.output);
  }
}

}  // namespace

test_pki::test_pki() {
  const auto p = [&](const char* name) { return (dir_ / name).string(); };
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "2", "-subj",
           "/CN=rosterd test CA"});
  const auto made = issue("server", "DNS:localhost,IP:127.0.0.1");
  (void)made;
}

certificate_files test_pki::issue(const std::string& name,
                                  const std::string& subject_alt_name) const {
  const auto p = [&](const std::string& file) { return (dir_ / file).string(); };
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
           p(name + ".key"), "-out", p(name + ".csr"), "-subj", "/CN=" + name});
  write_file(dir_ / (name + ".ext"), "subjectAltName=" + subject_alt_name + "\n");
  openssl({"x509", "-req", "-in", p(name + ".csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
           "-CAcreateserial", "-out", p(name + ".crt"), "-days", "2", "-extfile",
           p(name + ".ext")});
  return {dir_ / (name + ".crt"), dir_ / (name + ".key")};
}

certificate_files test_pki::self_signed(const std::string& name) const {
  const auto p = [&](const std::string& file) { return (dir_ / file).string(); };
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", p(name + ".key"), "-out", p(name + ".crt"), "-days", "2", "-subj",
           "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
  return {dir_ / (name + ".crt"), dir_ / (name + ".key")};
}

certificate_files test_pki::expired(const std::string& name) const {
  // `openssl x509 -req` in OpenSSL 3.0 has no start or end date options; `openssl ca` does, and
  // wants a small configuration and a database of its own.
  const auto p = [&](const std::string& file) { return (dir_ / file).string(); };
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
           p(name + ".key"), "-out", p(name + ".csr"), "-subj", "/CN=localhost"});
  write_file(dir_ / (name + ".ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  write_file(dir_ / (name + ".index"), "");
  write_file(dir_ / (name + ".serial"), "01\n");
  write_file(dir_ / (name + ".cnf"),
             "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = " + p(name + ".index") +
                 "\nserial = " + p(name + ".serial") + "\nnew_certs_dir = " + dir_.path().string() +
                 "\ndefault_md = sha256\npolicy = any\n"
                 "unique_subject = no\n[any]\ncommonName = supplied\n");
  openssl({"ca", "-batch", "-notext", "-config", p(name + ".cnf"), "-cert", p("ca.crt"), "-keyfile",
           p("ca.key"), "-in", p(name + ".csr"), "-out", p(name + ".crt"), "-startdate",
           "20200101000000Z", "-enddate", "20200102000000Z", "-extfile", p(name + ".ext")});
  return {dir_ / (name + ".crt"), dir_ / (name + ".key")};
}

}  // namespace rosterd::testing
