// DynamoDB's answer to a write whose condition did not hold: every conditional write maps it to
// "someone else wrote first" or "not there", never to a 500.

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Awaits a conditional write: true when it applied, false when its condition did not hold. */
export async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
