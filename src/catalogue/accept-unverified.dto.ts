import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBooleanString, IsOptional } from 'class-validator';

/** `?acceptUnverified=true` of a catalogue's import or activation (docs/decisions.md, "Catalogue import checks"). */
export class AcceptUnverifiedQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'Accept a catalogue imported without its content hash (unverified) for activation and runs, as it is (audited as catalogue.acceptUnverified). Without it such a catalogue is stored but refused with 409 unverified-catalogue.',
  })
  @IsOptional()
  @IsBooleanString()
  acceptUnverified?: string;
}

/** The flag's value: only the text `true` accepts. */
export const acceptsUnverified = (q: AcceptUnverifiedQuery): boolean => q.acceptUnverified === 'true';
