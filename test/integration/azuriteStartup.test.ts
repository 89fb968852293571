/** Starting Azurite: a port that is taken fails at once and says which, instead of a 30 s wait. */
import net from 'node:net';

import { startAzurite } from '../../dev/processes';

test('Azurite on a taken port: the start fails within seconds, naming the ports', async () => {
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const taken = (squatter.address() as net.AddressInfo).port;
  const began = Date.now();
  try {
    await expect(startAzurite({ tablePort: taken })).rejects.toThrow(
      new RegExp(`Azurite exited during start-up .*${taken}`),
    );
    expect(Date.now() - began).toBeLessThan(15_000);
  } finally {
    squatter.close();
  }
});
