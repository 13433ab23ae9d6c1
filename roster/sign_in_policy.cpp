#include "roster/sign_in_policy.hpp"

namespace rosterd::roster {
namespace {

// Reset requests share the address table with logins under their own prefix, so neither can
// use up the other's allowance.
std::string reset_key(std::string_view address_key) {
  return "reset:" + std::string(address_key);
}

}  // namespace

login_attempt::login_attempt(login_attempt&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      account_key_(std::move(other.account_key_)),
      address_key_(std::move(other.address_key_)),
      at_(other.at_) {}

void login_attempt::succeeded() {
  if (owner_ == nullptr) {
    return;
  }
  owner_->accounts_.reset(account_key_);
  owner_->addresses_.forgive(address_key_, at_);
  owner_ = nullptr;
}

void login_attempt::not_checked() {
  if (owner_ == nullptr) {
    return;
  }
  owner_->accounts_.forgive(account_key_, at_);
  owner_->addresses_.forgive(address_key_, at_);
  owner_ = nullptr;
}

sign_in_throttle::sign_in_throttle(const sign_in_limits& limits)
    : accounts_(limits.per_account), addresses_(limits.per_address) {}

std::variant<login_attempt, throttled> sign_in_throttle::admit_login(std::string account_key,
                                                                     std::string address_key,
                                                                     clock::time_point now) {
  if (auto wait = accounts_.try_count(account_key, now)) {
    return throttled{*wait};
  }
  if (auto wait = addresses_.try_count(address_key, now)) {
    accounts_.forgive(account_key, now);  // refused, so it was no guess at this account
    return throttled{*wait};
  }
  return login_attempt(*this, std::move(account_key), std::move(address_key), now);
}

std::optional<throttled> sign_in_throttle::admit_reset_request(std::string_view address_key,
                                                               clock::time_point now) {
  if (auto wait = addresses_.try_count(reset_key(address_key), now)) {
    return throttled{*wait};
  }
  return std::nullopt;
}

login_verdict judge_login(const std::optional<login_candidate>& candidate,
                          const base::secret& password, const password_cost& cost) {
  const bool usable = candidate && candidate->active && !candidate->password_hash.empty();
  if (!usable) {
    spend_equal_time(password, cost);
    return {};
  }
  if (!verify_password(password, candidate->password_hash)) {
    return {};
  }
  return {true, needs_rehash(candidate->password_hash, cost)};
}

}  // namespace rosterd::roster
