#include "tests/fakes/webhook_receiver.hpp"

#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

namespace rosterd::testing {

webhook_receiver::webhook_receiver(const test_pki& pki) {
  const auto script = source_dir() / "tests" / "fakes" / "webhook_receiver.py";
  child_ = std::make_unique<child_process>(
      "/usr/bin/python3",
      std::vector<std::string>{script.string(), "--cert", pki.server_certificate().string(),
                               "--key", pki.server_key().string(), "--log",
                               (dir_ / "requests.jsonl").string()},
      std::map<std::string, std::string>{}, dir_ / "server.log");
  const std::regex port_line("(^|\n)port ([0-9]+)\n");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    std::smatch m;
    const auto out = child_->output();
    if (std::regex_search(out, m, port_line)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[2].str()));
      return;
    }
    if (child_->wait(std::chrono::milliseconds(0)) || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("webhook receiver did not start: " + out);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

webhook_receiver::~webhook_receiver() = default;  // child_process kills the server

std::string webhook_receiver::url(const std::string& path) const {
  return "https://localhost:" + std::to_string(port_) + path;
}

std::vector<received_webhook> webhook_receiver::received() const {
  std::vector<received_webhook> out;
  std::ifstream in(dir_ / "requests.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      continue;  // a line still being written
    }
    received_webhook r;
    r.path = j.value("path", "");
    r.body = j.value("body", "");
    for (const auto& [k, v] : j["headers"].items()) {
      r.headers[k] = v.get<std::string>();
    }
    out.push_back(std::move(r));
  }
  return out;
}

bool webhook_receiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received().size() < n) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

independent_check verify_with_standardwebhooks(const std::string& secret,
                                               const received_webhook& r) {
  independent_check out;
  const auto modules = source_dir() / ".deps" / "npm" / "node_modules";
  if (!std::filesystem::exists("/usr/bin/node") ||
      !std::filesystem::exists(modules / "standardwebhooks")) {
    return out;
  }
  out.available = true;
  temp_directory dir;
  const auto input = dir / "input.json";
  write_file(input, nlohmann::json{{"secret", secret},
                                   {"id", r.headers.at("webhook-id")},
                                   {"timestamp", r.headers.at("webhook-timestamp")},
                                   {"signature", r.headers.at("webhook-signature")},
                                   {"body", r.body}}
                        .dump());
  const auto script = source_dir() / "tests" / "fakes" / "verify_standard_webhook.js";
  auto result = run_to_end("/bin/sh",
                           {"-c", "NODE_PATH='" + modules.string() + "' /usr/bin/node '" +
                                      script.string() + "' < '" + input.string() + "'"},
                           {});
  out.output = result.output;
  out.verified = result.exit_code == 0 && result.output.find("verified") == 0;
  return out;
}

}  // namespace rosterd::testing
