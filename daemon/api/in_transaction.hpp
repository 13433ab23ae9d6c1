#pragma once
// The routes' name for store::in_transaction.

#include "store/in_transaction.hpp"

namespace rosterd::daemon::api {

using store::in_transaction;

}  // namespace rosterd::daemon::api
