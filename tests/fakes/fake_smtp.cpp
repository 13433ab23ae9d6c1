#include "tests/fakes/fake_smtp.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

namespace rosterd::notify::testing {
namespace {

using rosterd::testing::run_to_end;

std::vector<received_message> read_messages(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::exists(dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == ".eml") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<received_message> out;
  for (const auto& f : files) {
    auto envelope = f;
    envelope.replace_extension(".envelope");
    out.push_back({rosterd::testing::read_file(envelope), rosterd::testing::read_file(f)});
  }
  return out;
}

}  // namespace

fake_smtp_server::fake_smtp_server(const test_pki& pki, const options& opts) : options_(opts) {
  std::vector<std::string> args{
      (rosterd::testing::source_dir() / "tests/fakes/smtp_server.py").string(), "--maildir",
      (dir_ / "mail").string()};
  if (opts.starttls || opts.implicit_tls) {
    args.insert(args.end(),
                {"--cert", pki.server_certificate().string(), "--key", pki.server_key().string()});
  }
  if (opts.implicit_tls) {
    args.push_back("--implicit-tls");
  }
  if (opts.login) {
    args.insert(args.end(), {"--user", opts.login->first, "--password", opts.login->second});
  }
  if (opts.fail_next > 0) {
    args.insert(args.end(), {"--fail-next", std::to_string(opts.fail_next), "--fail-code",
                             std::to_string(opts.fail_code)});
  }
  for (const auto& r : opts.reject_recipients) {
    args.insert(args.end(), {"--reject-rcpt", r});
  }
  if (opts.delay_data.count() > 0) {
    args.insert(
        args.end(),
        {"--delay-data", std::to_string(std::chrono::duration<double>(opts.delay_data).count())});
    if (opts.delay_count > 0) {
      args.insert(args.end(), {"--delay-count", std::to_string(opts.delay_count)});
    }
  }
  if (opts.log_rcpt) {
    args.push_back("--log-rcpt");
  }
  // /usr/bin/python3 on purpose: python3-aiosmtpd is a Debian package, invisible to a pyenv.
  child_ = std::make_unique<rosterd::testing::child_process>(
      "/usr/bin/python3", args, std::map<std::string, std::string>{}, dir_ / "server.log");
  const std::regex ready("(^|\n)port ([0-9]+)\n");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::smatch match;
  for (;;) {
    const auto log = child_->output();
    if (std::regex_search(log, match, ready)) {
      port_ = static_cast<std::uint16_t>(std::stoi(match[2].str()));
      return;
    }
    if (child_->wait(std::chrono::milliseconds(0)) || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the fake SMTP server did not start:\n" + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

fake_smtp_server::~fake_smtp_server() = default;  // the child is killed with child_process

std::vector<received_message> fake_smtp_server::delivered() const {
  return read_messages(dir_ / "mail");
}

std::vector<received_message> fake_smtp_server::refused() const {
  return read_messages(dir_ / "mail" / "rejected");
}

std::string fake_smtp_server::output() const {
  return child_->output();
}

bool fake_smtp_server::wait_for_output(const std::string& needle,
                                       std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (output().find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

int fake_smtp_server::rcpt_count(const std::string& address) const {
  const auto log = output();
  const auto needle = "rcpt <" + address + "> ";
  int n = 0;
  for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) {
    if (at == 0 || log[at - 1] == '\n') {
      ++n;
    }
  }
  return n;
}

smtp_settings fake_smtp_server::settings(const test_pki& pki) const {
  smtp_settings s;
  const auto authority = "localhost:" + std::to_string(port_);
  s.url = options_.implicit_tls ? "smtps://" + authority : "smtp://" + authority;
  s.tls = options_.implicit_tls ? smtp_tls::implicit
          : options_.starttls   ? smtp_tls::starttls
                                : smtp_tls::none;
  if (options_.login) {
    s.username = options_.login->first;
    s.password = base::secret(options_.login->second);
  }
  s.from_address = "noreply@rosterd.test";
  s.from_name = "Rosterd";
  s.ca_file = pki.ca_certificate();
  s.connect_timeout = std::chrono::seconds(5);
  s.total_timeout = std::chrono::seconds(20);
  return s;
}

}  // namespace rosterd::notify::testing
