import { BerWriter, Control, EqualityFilter, type ControlOptions } from 'ldapts';

/**
 * RFC 3876 matched values: the server returns only the attribute values that match one of these
 * equality assertions (e.g. of a 5,000-member group, just the members asked about). Not critical
 * by default: a server without it returns every value, which is slower but still right.
 */
export class MatchedValuesControl extends Control {
  static readonly type = '1.2.826.0.1.3344810.2.3';

  constructor(
    readonly assertions: readonly { readonly attribute: string; readonly value: string }[],
    options: ControlOptions = {},
  ) {
    super(MatchedValuesControl.type, options);
  }

  protected override writeControl(writer: BerWriter): void {
    // ValuesReturnFilter ::= SEQUENCE OF SimpleFilterItem; equalityMatch [3] is encoded as in a Filter.
    const inner = new BerWriter();
    inner.startSequence();
    for (const a of this.assertions) new EqualityFilter({ attribute: a.attribute, value: a.value }).write(inner);
    inner.endSequence();
    writer.writeBuffer(inner.buffer, 0x04);
  }
}
