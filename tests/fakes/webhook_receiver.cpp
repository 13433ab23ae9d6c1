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

}  // namespace rosterd::testing
