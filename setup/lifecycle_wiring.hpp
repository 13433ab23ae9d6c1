#pragma once
// [reminders] and [lifecycle] as the lifecycle library's own settings.

#include "lifecycle/job_scheduler.hpp"
#include "lifecycle/stage_settings.hpp"
#include "setup/config.hpp"

namespace rosterd::setup {

lifecycle::stage_settings stage_settings_from(const reminders_config& c);
lifecycle::job_scheduler_settings job_scheduler_settings_from(const lifecycle_config& c);

}  // namespace rosterd::setup
