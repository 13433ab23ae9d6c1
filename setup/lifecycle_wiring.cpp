#include "setup/lifecycle_wiring.hpp"

#include <algorithm>

namespace rosterd::setup {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

lifecycle::stage_plan plan_from(const reminder_config& c) {
  lifecycle::stage_plan plan;
  plan.creator.before.clear();
  for (const auto d : c.creator_before) {
    plan.creator.before.push_back(duration_cast<seconds>(d));
  }
  plan.creator.after_every = duration_cast<seconds>(c.creator_after_every);
  plan.creator.after_count = c.creator_after_count;
  plan.team.before.clear();
  for (const auto d : c.team_before) {
    plan.team.before.push_back(duration_cast<seconds>(d));
  }
  // The team hears once more when it has expired: one stage right at the deadline's passing.
  plan.team.after_every = seconds(0);
  plan.team.after_count = c.team_on_expiry ? 1 : 0;
  return plan;
}

}  // namespace

lifecycle::stage_settings stage_settings_from(const reminders_config& c) {
  lifecycle::stage_settings s;
  s.defaults = plan_from(c.defaults);
  for (const auto& [provider, r] : c.by_provider) {
    s.by_provider.emplace(provider, plan_from(r));
  }
  return s;
}

lifecycle::job_scheduler_settings job_scheduler_settings_from(const lifecycle_config& c) {
  lifecycle::job_scheduler_settings s;
  s.max_concurrent = std::max(1, c.max_concurrent_jobs);
  return s;
}

}  // namespace rosterd::setup
