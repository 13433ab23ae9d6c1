#include "notify/webhook_sender.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <curl/curl.h>
#include <future>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "base/ip_network.hpp"
#include "notify/curl_init.hpp"
#include "notify/webhook_signature.hpp"

namespace rosterd::notify {
namespace {

namespace ip = boost::asio::ip;

struct curl_deleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct url_deleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using slist_ptr = std::unique_ptr<curl_slist, slist_deleter>;

// What the callbacks of one transfer share.
struct transfer {
  ip::address pinned;  // the one address the socket may connect to
  bool wrong_address = false;
  std::size_t received = 0;
  std::size_t limit = 0;
  bool too_large = false;
  std::stop_token stop;
};

// The socket curl is about to connect: only to the address we checked. A resolver cache or a
// second lookup inside curl can therefore never route the request somewhere else.
curl_socket_t open_checked_socket(void* user, curlsocktype, curl_sockaddr* a) {
  auto& t = *static_cast<transfer*>(user);
  std::optional<ip::address> target;
  if (a->family == AF_INET && a->addrlen >= sizeof(sockaddr_in)) {
    sockaddr_in v4{};
    std::memcpy(&v4, &a->addr, sizeof v4);
    target = ip::address_v4(ntohl(v4.sin_addr.s_addr));
  } else if (a->family == AF_INET6 && a->addrlen >= sizeof(sockaddr_in6)) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, &a->addr, sizeof v6);
    ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &v6.sin6_addr, bytes.size());
    target = ip::address_v6(bytes);
  }
  if (!target || base::without_v4_mapping(*target) != base::without_v4_mapping(t.pinned)) {
    t.wrong_address = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(a->family, a->socktype, a->protocol);
}

// The answer's body is not needed; reading it is capped so a receiver cannot make us buffer or
// wait for an endless one.
std::size_t count_body(char*, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  t.received += size * count;
  if (t.received > t.limit) {
    t.too_large = true;
    return 0;
  }
  return size * count;
}

int check_stop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<transfer*>(user)->stop.stop_requested() ? 1 : 0;
}

struct target {
  std::string host;  // as in the URL, IPv6 without brackets
  std::string port;
  ip::address address;
};

webhook_send_result failure(std::string error) {
  return {webhook_send_outcome::failed, std::nullopt, std::move(error)};
}

std::string url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK || value == nullptr) {
    return "";
  }
  std::string out(value);
  curl_free(value);
  return out;
}

using lookup_answer = std::pair<ip::tcp::resolver::results_type, boost::system::error_code>;

// A name lookup that gives up after `limit`: getaddrinfo cannot be cancelled, so it runs on a
// thread of its own, left to finish and drop its answer when the attempt stopped waiting (a
// receiver's slow DNS must not hold a sender thread past the attempt's time).
std::optional<lookup_answer> resolve_within(const std::string& host, const std::string& port,
                                            std::chrono::milliseconds limit) {
  auto promise = std::make_shared<std::promise<lookup_answer>>();
  auto answer = promise->get_future();
  std::thread([promise, host, port] {
    boost::asio::io_context io;
    ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    auto found = resolver.resolve(host, port, ec);
    promise->set_value({std::move(found), ec});
  }).detach();
  if (answer.wait_for(limit) != std::future_status::ready) {
    return std::nullopt;
  }
  return answer.get();
}

// Parses the URL, resolves its host once (within `lookup_limit`) and checks every address it
// names.
std::variant<target, webhook_send_result> check_target(const std::string& url, bool allow_private,
                                                       std::chrono::milliseconds lookup_limit) {
  std::unique_ptr<CURLU, url_deleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return failure("refused: not a valid URL");
  }
  if (url_part(u.get(), CURLUPART_SCHEME) != "https") {
    return failure("refused: only https:// URLs are allowed");
  }
  target t;
  t.host = url_part(u.get(), CURLUPART_HOST);
  t.port = url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']') {
    t.host = t.host.substr(1, t.host.size() - 2);
  }
  if (t.host.empty() || t.port.empty()) {
    return failure("refused: the URL names no host");
  }
  boost::system::error_code ec;
  if (auto literal = ip::make_address(t.host, ec); !ec) {
    if (auto why = refused_target(literal, allow_private)) {
      return failure("refused: " + t.host + " is " + *why);
    }
    t.address = literal;
    return t;
  }
  auto lookup = resolve_within(t.host, t.port, lookup_limit);
  if (!lookup) {
    return failure("could not resolve " + t.host + " within " +
                   std::to_string(lookup_limit.count()) + " ms");
  }
  auto& [found, lookup_error] = *lookup;
  ec = lookup_error;
  if (ec || found.empty()) {
    return failure("could not resolve " + t.host + ": " + ec.message());
  }
  // Every address must pass: a name that also resolves to a private address is refused even
  // if another of its addresses is public (the receiver's operator controls which one we get).
  for (const auto& entry : found) {
    const auto a = entry.endpoint().address();
    if (auto why = refused_target(a, allow_private)) {
      return failure("refused: " + t.host + " resolves to " +
                     base::without_v4_mapping(a).to_string() + ", " + *why);
    }
  }
  t.address = found.begin()->endpoint().address();
  return t;
}

}  // namespace

std::optional<std::string> refused_target(const boost::asio::ip::address& a,
                                          bool allow_private_targets) {
  const auto plain = base::without_v4_mapping(a);
  // The cloud metadata services hand out credentials: refused even where tests allow private
  // targets.
  if (plain == ip::make_address("169.254.169.254") || plain == ip::make_address("fd00:ec2::254")) {
    return std::string("the cloud metadata service; webhooks are never sent there");
  }
  const auto scope = base::scope_of(a);
  if (scope == base::address_scope::global) {
    return std::nullopt;
  }
  if (allow_private_targets &&
      (scope == base::address_scope::loopback || scope == base::address_scope::private_use)) {
    return std::nullopt;
  }
  return "a " + std::string(base::to_string(scope)) +
         " address; webhooks are only sent to public addresses";
}

webhook_send_result send_webhook(const webhook_sender_settings& settings,
                                 const webhook_request& request, std::stop_token stop) {
  curl_global_once();
  const auto started = std::chrono::steady_clock::now();
  auto checked = check_target(request.url, settings.allow_private_targets,
                              std::min(settings.connect_timeout, settings.total_timeout));
  if (auto* refused = std::get_if<webhook_send_result>(&checked)) {
    return std::move(*refused);
  }
  const auto& t = std::get<target>(checked);

  std::unique_ptr<CURL, curl_deleter> handle(curl_easy_init());
  if (!handle) {
    return failure("curl_easy_init failed");
  }
  CURL* c = handle.get();
  transfer state;
  state.pinned = t.address;
  state.limit = settings.max_response_bytes;
  state.stop = std::move(stop);

  const auto address_text =
      t.address.is_v6() ? "[" + t.address.to_string() + "]" : t.address.to_string();
  slist_ptr pin(curl_slist_append(nullptr, (t.host + ":" + t.port + ":" + address_text).c_str()));
  static const std::vector<base::secret> no_keys;
  const auto signature = sign_webhook(request.keys != nullptr ? *request.keys : no_keys,
                                      request.webhook_id, request.timestamp, request.body);
  slist_ptr headers(curl_slist_append(nullptr, "content-type: application/json"));
  curl_slist_append(headers.get(), ("webhook-id: " + request.webhook_id).c_str());
  curl_slist_append(headers.get(),
                    ("webhook-timestamp: " + webhook_timestamp(request.timestamp)).c_str());
  curl_slist_append(headers.get(), ("webhook-signature: " + signature).c_str());
  curl_slist_append(headers.get(), "Expect:");  // no 100-continue round trip

  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never a proxy from the environment
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_RESOLVE, pin.get());
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &state);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, settings.ca_file.c_str());
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings.connect_timeout.count()));
  // The lookup spent part of the attempt's time: the whole attempt stays within total_timeout.
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  const auto left = std::max(settings.total_timeout - spent, std::chrono::milliseconds(1));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(settings.max_response_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_stop);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &state);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "rosterd-webhooks");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));

  const CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);

  webhook_send_result result;
  if (code > 0) {
    result.status_code = static_cast<int>(code);
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK && state.stop.stop_requested()) {
    result.outcome = webhook_send_outcome::aborted;
    result.error = "stopped by shutdown";
    return result;
  }
  if (state.wrong_address) {
    result.error =
        "refused: the connection was about to go to an address other than the checked one";
    return result;
  }
  // A complete status line counts even when the body was cut off at the size cap.
  const bool answered =
      rc == CURLE_OK ||
      (code > 0 && (state.too_large || rc == CURLE_FILESIZE_EXCEEDED || rc == CURLE_WRITE_ERROR));
  if (!answered) {
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      result.error = "timed out after " + std::to_string(settings.total_timeout.count()) + " ms";
    } else {
      result.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    }
    return result;
  }
  if (code >= 200 && code < 300) {
    result.outcome = webhook_send_outcome::delivered;
  } else if (code == 410) {
    result.outcome = webhook_send_outcome::gone;
    result.error = "HTTP 410 Gone: the endpoint is disabled";
  } else if (code >= 300 && code < 400) {
    result.error = "HTTP " + std::to_string(code) + ": redirects are not followed";
  } else {
    result.error = "HTTP " + std::to_string(code);
  }
  return result;
}

}  // namespace rosterd::notify
