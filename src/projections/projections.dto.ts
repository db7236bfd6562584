import { ApiPropertyOptional, ApiSchema, OmitType } from '@nestjs/swagger';
import { CaseBody } from '../cases/case-body.dto';

const MONEY = '^\\d+(\\.\\d{0,2})?$';

/**
 * OpenAPI documentation of a case to project: the case of `POST /api/v1/cases` (spec §2), every
 * rule checked as an import checks it, except that `fundPayment` may be left out (a projection
 * needs none) and the discharge date may be in the future. Documentation only.
 */
@ApiSchema({
  description:
    'A case to project: the fields of a case of POST /api/v1/cases, every rule checked the same way, except that fundPayment may be absent (nothing of a projection depends on it) and dischargeDate may lie in the future (a stay not yet ended). totalCost is required: the outlier ratio, the self-pay share and a no-score case are made of it.',
})
export class ProjectionCaseBody extends OmitType(CaseBody, ['fundPayment'] as const) {
  @ApiPropertyOptional({
    type: String,
    pattern: MONEY,
    description:
      'Fund payment (统筹基金支付), at most totalCost; optional here: a projection does not use it. When absent, outOfCatalogSelfPay is checked against totalCost.',
    example: '16000.00',
  })
  fundPayment?: string;
}
