// Checks each year's lines against every total that year's documents state
// (the ordinance's clauses, agencies and plans; a district book's offices
// and work items). An import is refused unless every stated figure equals
// the sum of its year's lines, and every year with lines has stated totals.
#ifndef BKK_SERVICES_BUDGET_DATA_CORE_STATED_TOTALS_H_
#define BKK_SERVICES_BUDGET_DATA_CORE_STATED_TOTALS_H_

#include <string>
#include <vector>

#include "services/budget_data/core/model.h"

namespace bkk::budget {

// The ordinance's section (71): loan repayments, stated once for all units.
inline constexpr char kLoanRepaymentPlan[] = "งบประมาณรายจ่ายเพื่อชดใช้เงินยืมเงินสะสม";
inline constexpr char kStrategicMissionPlan[] = "งบประมาณภารกิจตามแผนยุทธศาสตร์";
inline constexpr char kCentralFundAgency[] = "งบประมาณรายจ่ายงบกลาง";
// The ordinance-level figures as the stated-totals file names them: the grand
// total (ข้อ 3) = the BMA's own budget (ข้อ 4) + its commercial enterprises (ข้อ 5).
inline constexpr char kGrandTotalCheck[] = "ข้อ 3 ordinance grand total";
inline constexpr char kOwnBudgetCheck[] = "ข้อ 4 BMA budget (all except commercial)";
inline constexpr char kCommercialTotalCheck[] = "ข้อ 5 commercial total";

// True for the commercial enterprises' lines (ข้อ 5), whose plan is
// "รายจ่ายประจำ / …" or "รายจ่ายพิเศษ / …".
bool IsCommercialLine(const BudgetLine& line);
// "รายจ่ายประจำ" or "รายจ่ายพิเศษ" for commercial lines, else "".
std::string CommercialExpenseType(const BudgetLine& line);

// Returns one problem per stated total that the lines do not reproduce (and
// per stated total of a kind this checker does not know). `checks_passed`
// counts the figures that matched.
std::vector<ImportProblem> CheckStatedTotals(const Dataset& dataset, int* checks_passed);

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_CORE_STATED_TOTALS_H_
