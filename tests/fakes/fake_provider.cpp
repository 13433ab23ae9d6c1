#include "tests/fakes/fake_provider.hpp"

#include <regex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.hpp"

namespace rosterd::testing {
namespace {

// Percent-encodes everything but RFC 3986 unreserved characters (for control query strings).
std::string encode_component(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4U]);
      out.push_back(hex[u & 0x0FU]);
    }
  }
  return out;
}

std::uint16_t port_from(const std::smatch& m) {
  return static_cast<std::uint16_t>(std::stoi(m[2].str()));
}

}  // namespace

fake_provider::fake_provider(const test_pki& pki) : fake_provider(pki, options{}) {}

fake_provider::fake_provider(const test_pki& pki, const options& opts) : tls_(opts.tls) {
  std::vector<std::string> args{(source_dir() / "tests/fakes/provider_server.py").string()};
  if (opts.tls) {
    const auto cert = opts.certificate.value_or(pki.server());
    args.insert(args.end(), {"--cert", cert.certificate.string(), "--key", cert.key.string()});
  }
  for (const auto& [provider, creds] : opts.clients) {
    args.insert(args.end(), {"--client", provider + "=" + creds.id + ":" + creds.secret});
  }
  if (!opts.consent.empty()) {
    args.insert(args.end(), {"--consent", opts.consent});
  }
  if (!opts.config_json.empty()) {
    const auto file = dir_ / "config.json";
    write_file(file, opts.config_json);
    args.insert(args.end(), {"--config", file.string()});
  }
  // Standard library only, so any python3 >= 3.11 works; /usr/bin/python3 like the SMTP fake.
  child_ = std::make_unique<child_process>(
      "/usr/bin/python3", args, std::map<std::string, std::string>{}, dir_ / "server.log");
  const std::regex port_line("(^|\n)port ([0-9]+)\n");
  const std::regex control_line("(^|\n)control-port ([0-9]+)\n");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const auto log = child_->output();
    std::smatch p;
    std::smatch c;
    if (std::regex_search(log, p, port_line) && std::regex_search(log, c, control_line)) {
      port_ = port_from(p);
      control_port_ = port_from(c);
      return;
    }
    if (child_->wait(std::chrono::milliseconds(0)) || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the fake provider did not start:\n" + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

fake_provider::~fake_provider() = default;  // child_process kills the server

std::string fake_provider::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://localhost:" + std::to_string(port_);
}

std::string fake_provider::url(std::string_view real_url) const {
  std::string_view rest = real_url;
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (rest.substr(0, scheme.size()) == scheme) {
      rest.remove_prefix(scheme.size());
      break;
    }
  }
  const auto end_of_host = rest.find_first_of("/?#");
  std::string_view host = rest.substr(0, end_of_host);
  const std::string_view tail =
      end_of_host == std::string_view::npos ? std::string_view{} : rest.substr(end_of_host);
  if (const auto colon = host.find(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::string out = base_url();
  out += '/';
  out += host;
  if (!tail.empty() && tail.front() != '/') {
    out += '/';
  }
  out += tail;
  return out;
}

std::string fake_provider::control(std::string_view method, std::string_view path,
                                   std::string_view json_body) const {
  std::map<std::string, std::string> headers;
  if (!json_body.empty()) {
    headers["Content-Type"] = "application/json";
  }
  const auto reply = http_request(control_port_, std::string(method), std::string(path),
                                  std::string(json_body), headers);
  if (reply.status != 200) {
    throw std::runtime_error("fake provider control " + std::string(method) + " " +
                             std::string(path) + ": " + std::to_string(reply.status) + " " +
                             reply.body);
  }
  return reply.body;
}

int fake_provider::calls(std::string_view provider, std::string_view endpoint) const {
  const auto body = control("GET", "/calls?provider=" + encode_component(provider) +
                                       "&endpoint=" + encode_component(endpoint));
  return nlohmann::json::parse(body).at("count").get<int>();
}

void fake_provider::configure(std::string_view provider, std::string_view settings_json) const {
  auto settings = nlohmann::json::parse(settings_json);
  settings["provider"] = std::string(provider);
  (void)control("POST", "/config", settings.dump());
}

void fake_provider::fail_next(std::string_view rule_json) const {
  (void)control("POST", "/fail_next", rule_json);
}

void fake_provider::advance_clock(std::chrono::seconds by) const {
  (void)control("POST", "/clock", nlohmann::json{{"advance_seconds", by.count()}}.dump());
}

namespace {
std::int64_t epoch_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
}  // namespace

void fake_provider::freeze_clock(std::chrono::system_clock::time_point at) const {
  (void)control("POST", "/clock", nlohmann::json{{"freeze_at", epoch_seconds(at)}}.dump());
}

std::string fake_provider::seed_grant(const seeded_grant& g) const {
  nlohmann::json body{{"provider", g.provider},
                      {"user", {{"id", g.user_id}, {"username", g.username}}},
                      {"scopes", g.scopes},
                      {"access_token", g.access_token},
                      {"kind", g.kind}};
  if (g.access_expires_at) {
    body["access_expires_at"] = epoch_seconds(*g.access_expires_at);
  }
  if (g.refresh_token) {
    body["refresh_token"] = *g.refresh_token;
    body["refresh_expires_at"] = epoch_seconds(g.refresh_expires_at.value());
  }
  return nlohmann::json::parse(control("POST", "/grants", body.dump())).at("grant");
}

std::vector<fake_provider::token_use> fake_provider::token_uses() const {
  std::vector<token_use> out;
  const auto body = nlohmann::json::parse(control("GET", "/token_uses"));
  for (const auto& u : body.at("uses")) {
    token_use t;
    t.provider = u.at("provider");
    t.endpoint = u.at("endpoint");
    t.token = u.at("token");
    if (!u.at("refreshable").is_null()) {
      t.refreshable = u.at("refreshable").get<bool>();
    }
    t.count = u.at("count");
    out.push_back(std::move(t));
  }
  return out;
}

void fake_provider::reset() const {
  (void)control("POST", "/reset");
}

std::string fake_provider::output() const {
  return child_->output();
}

}  // namespace rosterd::testing
