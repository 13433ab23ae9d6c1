// A rosterctl source that reaches into the HTTP edge: the layering check must refuse it.
#include "edge/api/routes.hpp"
