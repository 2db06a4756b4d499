/** `facts.mqttBroker`: the MQTT broker a service runs (Home Assistant's Mosquitto), for the services that publish to it. */
import { z } from 'zod';
import { defineFact } from './fact.ts';

export const mqttBrokerSchema = z.strictObject({
  port: z.number().int().min(1).max(65535).meta({ description: 'The broker\'s port on the service\'s address.' }),
}).meta({ id: 'MqttBrokerFact', description: 'The MQTT broker the service runs.' });

export const mqttBrokerFact = defineFact({
  key: 'mqttBroker',
  schema: mqttBrokerSchema,
  code: 'InvalidMqttBroker',
  fix: 'Publish facts.mqttBroker = { port: 1883 } with the port the broker listens on.',
});
